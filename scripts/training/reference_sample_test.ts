import assert from "node:assert/strict";
import { parseCsv } from "../../api/scoring/feature_csv.ts";
import { FIXTURE_FEATURES } from "../../api/testing/fixture_model.ts";
import { referenceSampleCsv } from "./reference_sample.ts";

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
