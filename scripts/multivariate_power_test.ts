import { equal, match, ok } from "node:assert/strict";
import { formatPowerRow, measurePower } from "./multivariate_power.ts";

Deno.test("multivariate_power runs every scenario at minimal settings", async () => {
  const rows = await measurePower({
    artifactsDir: "artifacts",
    referencePath: "artifacts/reference_sample.csv",
    sourcePath: "data/credit_data/test.csv",
    rows: 300,
    seeds: 1,
    scenarios: ["clean", "decouple:Expenses"],
  });
  equal(rows.length, 2);
  ok(rows.every((r) => r.result.auc !== null));
  match(formatPowerRow(rows[0]), /^clean +seed 1 +AUC 0\.\d{3}/);
});
