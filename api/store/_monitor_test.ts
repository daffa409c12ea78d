import assert from "node:assert/strict";
import { storeTest } from "../testing/temp_store.ts";
import type { AlertStateRow } from "./_monitor.ts";

storeTest("the lease goes to one holder until it expires or is released", async (t) => {
  const lease = t.store.monitor.lease;
  const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m)).toISOString();
  assert.equal(await lease.acquire("drift", "a", at(0), at(5)), true);
  assert.equal(await lease.acquire("drift", "b", at(1), at(6)), false, "held by a");
  assert.equal(await lease.acquire("drift", "a", at(2), at(7)), true, "a renews");
  assert.equal(await lease.acquire("drift", "b", at(6), at(11)), false, "renewed until 7");
  assert.equal(await lease.acquire("drift", "b", at(7), at(12)), true, "expired: b takes it");
  await lease.release("drift", "a");
  assert.equal(await lease.acquire("drift", "a", at(8), at(13)), false, "a cannot release b's");
  await lease.release("drift", "b");
  assert.equal(await lease.acquire("drift", "a", at(8), at(13)), true);
});

storeTest("history: added entries come back oldest first, filtered by time", async (t) => {
  const h = t.store.monitor.history;
  assert.equal(await h.latest(), undefined);
  for (let i = 0; i < 3; i++) {
    await h.add({
      generated_at: `2026-01-01T0${i}:00:00.000Z`,
      window_start: null,
      window_end: null,
      n_rows: 10 * i,
      last_prediction_id: i,
      overall_verdict: "low",
      source: "scheduler",
      summary_json: JSON.stringify({ i }),
    });
  }
  assert.deepEqual((await h.list()).map((e) => e.n_rows), [0, 10, 20]);
  assert.deepEqual((await h.list({ since: "2026-01-01T01:00:00.000Z" })).map((e) => e.n_rows), [
    10,
    20,
  ]);
  assert.deepEqual((await h.list({ limit: 1 })).map((e) => e.n_rows), [20]);
  assert.equal((await h.latest())!.last_prediction_id, 2);
});

storeTest("alert messages are claimed once; a given-back claim can be taken again", async (t) => {
  const a = t.store.monitor.alerts;
  const row: AlertStateRow = {
    alert_key: "feature_drift:Income",
    kind: "feature_drift",
    feature: "Income",
    severity: "high",
    message: "Income: PSI 0.4",
    first_seen: "2026-01-01T00:00:00.000Z",
    last_seen: "2026-01-01T00:00:00.000Z",
    resolved_at: null,
    fired_sent_at: null,
    resolved_sent_at: null,
  };
  await a.save([row]);
  assert.equal(await a.claim(row.alert_key, "resolved", "t1"), false, "not resolved yet");
  assert.equal(await a.claim(row.alert_key, "firing", "t1"), true);
  assert.equal(await a.claim(row.alert_key, "firing", "t2"), false, "already claimed");
  await a.unclaim(row.alert_key, "firing");
  assert.equal(await a.claim(row.alert_key, "firing", "t3"), true);
  await a.save([{ ...row, resolved_at: "t4" }]);
  assert.equal((await a.all())[0].fired_sent_at, "t3", "a save keeps the claim");
  assert.equal(await a.claim(row.alert_key, "resolved", "t5"), true);
  assert.equal(await a.claim(row.alert_key, "resolved", "t6"), false);
  const [stored] = await a.all();
  assert.equal(stored.resolved_sent_at, "t5");
  await a.save([{ ...row, first_seen: "t7", last_seen: "t7" }]);
  const [again] = await a.all();
  assert.deepEqual([again.fired_sent_at, again.resolved_sent_at], [null, null], "fires anew");
});

storeTest("deliveries are recorded, most recent first", async (t) => {
  const d = t.store.monitor.deliveries;
  for (const attempt of [1, 2]) {
    await d.record({
      ts_utc: `2026-01-01T00:00:0${attempt}.000Z`,
      alert_key: "error_rate",
      event: "firing",
      target: "hooks.example",
      attempt,
      status: attempt === 1 ? 500 : 200,
      ok: attempt === 2,
      error: attempt === 1 ? "HTTP 500" : null,
      sender: "service",
    });
  }
  const [last, first] = await d.recent(10);
  assert.equal(last.attempt, 2);
  assert.equal(last.ok, true);
  assert.equal(first.status, 500);
  assert.equal(first.ok, false);
});
