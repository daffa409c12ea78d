import assert from "node:assert/strict";
import { storeTest } from "../testing/temp_store.ts";
import { KEEP_DRIFT_REPORTS } from "./_reports.ts";

storeTest("the latest saved report comes back; old ones are pruned", async (t) => {
  assert.equal(await t.store.reports.latest(), undefined);
  for (let i = 0; i < KEEP_DRIFT_REPORTS + 5; i++) {
    await t.store.reports.save({
      generated_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      source: "site",
      report_json: JSON.stringify({ i }),
    });
  }
  const latest = (await t.store.reports.latest())!;
  assert.deepEqual(JSON.parse(latest.report_json), { i: KEEP_DRIFT_REPORTS + 4 });
  assert.equal(await t.countRows("drift_reports"), KEEP_DRIFT_REPORTS);
});
