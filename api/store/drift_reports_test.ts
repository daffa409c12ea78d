import assert from "node:assert/strict";
import { KEEP_DRIFT_REPORTS, latestDriftReport, saveDriftReport } from "./drift_reports.ts";
import { openStore } from "./mod.ts";

Deno.test("the latest saved report comes back; old ones are pruned", async () => {
  const store = openStore(":memory:");
  assert.equal(latestDriftReport(store.db), undefined);
  for (let i = 0; i < KEEP_DRIFT_REPORTS + 5; i++) {
    saveDriftReport(store.db, {
      generated_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      source: "site",
      report_json: JSON.stringify({ i }),
    });
  }
  const latest = latestDriftReport(store.db)!;
  assert.deepEqual(JSON.parse(latest.report_json), { i: KEEP_DRIFT_REPORTS + 4 });
  const { n } = store.db.prepare("SELECT count(*) AS n FROM drift_reports").get() as { n: number };
  assert.equal(n, KEEP_DRIFT_REPORTS);
  await store.close();
});
