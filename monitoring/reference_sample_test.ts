import { deepEqual, rejects } from "node:assert/strict";
import { join } from "node:path";
import { TWO_FEATURES } from "./testing/drift_helpers.ts";
import { readReferenceSample, referenceSampleCsv } from "./reference_sample.ts";
import assert from "node:assert/strict";
import { parseCsv } from "../api/scoring/feature_csv.ts";
import { FIXTURE_FEATURES } from "../api/testing/fixture_model.ts";

const dir = await Deno.makeTempDir({ prefix: "reference_sample_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
let files = 0;

async function csvFile(text: string): Promise<string> {
  const path = join(dir, `${++files}`, "reference_sample.csv");
  await Deno.mkdir(join(dir, `${files}`));
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("readReferenceSample: feature rows (NA = missing) and scores", async () => {
  const path = await csvFile('x,c,proba_default\n1.5,a,0.25\nNA,"b",0.75\n3,NA,1\n');
  const sample = await readReferenceSample(path, TWO_FEATURES);
  deepEqual(sample.rows, [{ x: 1.5, c: "a" }, { x: null, c: "b" }, { x: 3, c: null }]);
  deepEqual(Array.from(sample.scores), [0.25, 0.75, 1]);
});

Deno.test("readReferenceSample: errors name the file, the row and the column", async () => {
  await rejects(
    readReferenceSample(await csvFile("x,c\n1,a\n"), TWO_FEATURES),
    /reference_sample\.csv: reference CSV lacks the proba_default column/,
  );
  await rejects(
    readReferenceSample(await csvFile("x,c,proba_default\n1,a,0.2\n1,a,1.5\n"), TWO_FEATURES),
    /row 2 \(line 3\), column "proba_default": expected a probability, got "1.5"/,
  );
  await rejects(
    readReferenceSample(await csvFile("x,c,proba_default\n1,a,NA\n"), TWO_FEATURES),
    /column "proba_default": expected a probability, got null/,
  );
  await rejects(
    readReferenceSample(await csvFile("x,c,proba_default\n1,z,0.5\n"), TWO_FEATURES),
    /column "c": unknown level "z"/,
  );
  const absent = join(dir, "absent.csv");
  await rejects(
    readReferenceSample(absent, TWO_FEATURES),
    (err: Error) => err.message === `${absent}: reference sample not found`,
  );
});

const SPECS = FIXTURE_FEATURES.filter((s) => ["Home", "Income"].includes(s.name));

Deno.test("reference sample: features in spec order, NA for missing, fixed-decimal scores", () => {
  const records = [
    { Status: "good", Income: "129", Home: "rent" },
    { Status: "bad", Income: null, Home: "owner" },
  ];
  const csv = referenceSampleCsv(records, { specs: SPECS, scores: [0.25, 1 / 3] });
  assert.equal(csv, "Home,Income,proba_default\nrent,129,0.250000\nowner,NA,0.333333\n");
  const back = parseCsv(csv);
  assert.equal(back.records[1].Income, null);
});

Deno.test("reference sample refuses scores that do not match the rows", () => {
  assert.throws(
    () => referenceSampleCsv([{ Income: "1", Home: "rent" }], { specs: SPECS, scores: [] }),
    RangeError,
  );
});
