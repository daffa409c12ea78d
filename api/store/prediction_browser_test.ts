import assert from "node:assert/strict";
import fc from "fast-check";
import { openStore, type PredictionRecord } from "./mod.ts";
import { getPrediction, listPredictions } from "./prediction_browser.ts";

function rows(n: number): PredictionRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    ts_utc: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    request_id: `r${i}`,
    model_version: i % 2 ? "m2" : "m1",
    proba_default: (i % 10) / 10,
    threshold: 0.5,
    decision: i % 3 === 0 ? "reject" : "approve",
    latency_ms: 1,
    input_json: JSON.stringify({ i }),
  }));
}

Deno.test("keyset pages visit every matching row once, newest first", async () => {
  const store = openStore(":memory:");
  const all = rows(57);
  await store.append(all);
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 20 }),
      fc.option(fc.constantFrom("approve" as const, "reject" as const), { nil: undefined }),
      fc.option(fc.constantFrom("m1", "m2"), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 56 }), { nil: undefined }),
      (limit, decision, modelVersion, sinceMinute) => {
        const since = sinceMinute === undefined ? undefined : all[sinceMinute].ts_utc;
        const want = all
          .map((r, i) => ({ ...r, id: i + 1 }))
          .filter((r) =>
            (decision === undefined || r.decision === decision) &&
            (modelVersion === undefined || r.model_version === modelVersion) &&
            (since === undefined || r.ts_utc >= since)
          )
          .map((r) => r.id)
          .reverse();
        const seen: number[] = [];
        let before: number | undefined;
        for (;;) {
          const page = listPredictions(store.db, {
            limit,
            beforeId: before,
            decision,
            modelVersion,
            since,
          });
          seen.push(...page.map((r) => r.id));
          if (page.length < limit) break;
          before = page[page.length - 1].id;
        }
        assert.deepEqual(seen, want);
        return Promise.resolve();
      },
    ),
    { numRuns: 60 },
  );
  await store.close();
});

Deno.test("afterId returns the rows just above, newest first; id bounds apply", async () => {
  const store = openStore(":memory:");
  await store.append(rows(30));
  assert.deepEqual(listPredictions(store.db, { limit: 3, afterId: 10 }).map((r) => r.id), [
    13,
    12,
    11,
  ]);
  assert.deepEqual(
    listPredictions(store.db, { limit: 100, minId: 5, maxId: 8 }).map((r) => r.id),
    [8, 7, 6, 5],
  );
  const summary = listPredictions(store.db, { limit: 1 })[0];
  assert.equal("input_json" in summary, false);
  await store.close();
});

Deno.test("getPrediction returns the row with its features, or undefined", async () => {
  const store = openStore(":memory:");
  await store.append(rows(3));
  const row = getPrediction(store.db, 2)!;
  assert.equal(row.request_id, "r1");
  assert.deepEqual(JSON.parse(row.input_json), { i: 1 });
  assert.equal(row.reasons_json, null);
  assert.equal(getPrediction(store.db, 99), undefined);
  const reasons = JSON.stringify([{ feature: "i", contribution: 0.5, value: 3, reason: "i" }]);
  await store.append([{ ...rows(1)[0], request_id: "explained", reasons_json: reasons }]);
  assert.equal(getPrediction(store.db, 4)!.reasons_json, reasons);
  await store.close();
});
