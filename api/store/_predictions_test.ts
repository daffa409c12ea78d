import assert from "node:assert/strict";
import fc from "fast-check";
import { storeTest, testRecord } from "../testing/temp_store.ts";
import type { PredictionRecord } from "./mod.ts";

function rows(n: number): PredictionRecord[] {
  return Array.from({ length: n }, (_, i) =>
    testRecord(`r${i}`, {
      ts_utc: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      model_version: i % 2 ? "m2" : "m1",
      proba_default: (i % 10) / 10,
      decision: i % 3 === 0 ? 1 : 0,
      input_json: JSON.stringify({ i }),
    }));
}

storeTest("keyset pages visit every matching row once, newest first", async (t) => {
  const logged = rows(57);
  await t.store.append({ rows: logged });
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 20 }),
      fc.option(fc.constantFrom(0 as const, 1 as const), { nil: undefined }),
      fc.option(fc.constantFrom("m1", "m2"), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 56 }), { nil: undefined }),
      async (limit, decision, modelVersion, sinceMinute) => {
        const since = sinceMinute === undefined ? undefined : logged[sinceMinute].ts_utc;
        const want = logged
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
          const page = await t.store.predictions.list({
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
      },
    ),
    { numRuns: 60 },
  );
});

storeTest("afterId returns the rows just above, newest first; id bounds apply", async (t) => {
  await t.store.append({ rows: rows(30) });
  const ids = async (q: Parameters<typeof t.store.predictions.list>[0]) =>
    (await t.store.predictions.list(q)).map((r) => r.id);
  assert.deepEqual(await ids({ limit: 3, afterId: 10 }), [13, 12, 11]);
  assert.deepEqual(await ids({ limit: 100, minId: 5, maxId: 8 }), [8, 7, 6, 5]);
  const [summary] = await t.store.predictions.list({ limit: 1 });
  assert.equal("input_json" in summary, false);
});

storeTest("get returns the row with its features, or undefined", async (t) => {
  await t.store.append({ rows: rows(3) });
  const row = (await t.store.predictions.get(2))!;
  assert.equal(row.request_id, "r1");
  assert.equal(row.decision, 0);
  assert.deepEqual(JSON.parse(row.input_json), { i: 1 });
  assert.equal(row.reasons_json, null);
  assert.equal(await t.store.predictions.get(99), undefined);
  const reasons = JSON.stringify([{ feature: "i", contribution: 0.5, value: 3, reason: "i" }]);
  await t.store.append({
    rows: [{ ...rows(1)[0], request_id: "explained", reasons_json: reasons }],
  });
  assert.equal((await t.store.predictions.get(4))!.reasons_json, reasons);
});
