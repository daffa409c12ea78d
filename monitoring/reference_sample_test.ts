import { deepEqual, rejects } from "node:assert/strict";
import { join } from "node:path";
import { TWO_FEATURES } from "./drift_test_helpers.ts";
import { readReferenceSample } from "./reference_sample.ts";

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
