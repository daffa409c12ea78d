/**
 * The store contract, on every backend: the audit log round-trips, the group
 * commit writes rows, rollup and shadow scores together, a request id is
 * unique per client, and nothing is acknowledged that was not committed.
 */
import assert from "node:assert/strict";
import { storeTest, testRecord } from "../testing/temp_store.ts";
import type { LogEntry, PredictionRecord } from "./mod.ts";

const day = (d: number) => `2026-01-${String(d).padStart(2, "0")}T00:00:00.000Z`;

function record(i: number, ts = day(1)): PredictionRecord {
  return testRecord(`r${i}`, {
    ts_utc: ts,
    proba_default: i / 100,
    decision: i >= 50 ? 1 : 0,
    input_json: JSON.stringify({ i }),
  });
}

async function all(t: { store: { predictions: { pages(): AsyncIterable<PredictionRecord[]> } } }) {
  const rows: PredictionRecord[] = [];
  for await (const page of t.store.predictions.pages()) rows.push(...page);
  return rows;
}

storeTest("rows round-trip, and the rollup is written in the same transaction", async (t) => {
  const rows = [record(1, day(1)), record(60, day(2))];
  assert.deepEqual(
    await Promise.all(rows.map((r) => t.store.append({ rows: [r] }))),
    ["logged", "logged"],
  );
  assert.equal(await t.store.predictions.count(), 2);
  const back = (await all(t)).map((r) => {
    const { id: _id, ...rest } = r as PredictionRecord & { id: number };
    return { ...rest };
  });
  assert.deepEqual(back, rows);
  const totals = await t.store.rollups.totals();
  assert.equal(totals.n, 2);
  assert.equal(totals.rejects, 1, "decision 1 counts as a reject");
});

storeTest(
  "pages filter by time window and keep the most recent `limit` rows, oldest first",
  async (t) => {
    await t.store.append({ rows: [1, 2, 3, 4, 5].map((d) => record(d, day(d))) });
    const ids = async (q: { since?: string; until?: string; limit?: number }) => {
      const out: string[] = [];
      for await (const page of t.store.predictions.pages(q, 2)) {
        assert.ok(page.length <= 2, "pages hold at most pageRows rows");
        out.push(...page.map((r) => r.request_id));
      }
      return out;
    };
    assert.deepEqual(await ids({ since: day(2), until: day(4) }), ["r2", "r3"]);
    assert.deepEqual(await ids({ limit: 2 }), ["r4", "r5"]);
    assert.deepEqual(await ids({ until: day(4), limit: 2 }), ["r2", "r3"]);
    assert.deepEqual(await ids({}), ["r1", "r2", "r3", "r4", "r5"]);
    assert.equal(await t.store.predictions.count({ since: day(3) }), 3);
    assert.equal(await t.store.predictions.count({ limit: 2 }), 2);
  },
);

storeTest(
  "a request id is unique per client: a reuse logs nothing, another client may use it",
  async (t) => {
    assert.equal(await t.store.append({ rows: [record(1)] }), "logged");
    assert.equal(await t.store.append({ rows: [record(1)] }), "duplicate");
    assert.equal(
      await t.store.append({ rows: [{ ...record(1), client_id: "other-key" }] }),
      "logged",
    );
    assert.equal(await t.store.predictions.count(), 2);
    assert.equal((await t.store.predictions.findByRequestId("r1")).length, 2);
    assert.equal((await t.store.predictions.findByRequestId("r1", "other-key")).length, 1);
    assert.equal((await t.store.rollups.totals()).n, 2, "the refused entry left no rollup");
  },
);

storeTest(
  "a batch entry with one reused id is refused whole; others in the group still log",
  async (t) => {
    await t.store.append({ rows: [record(2)] });
    const results = await Promise.all([
      t.store.append({ rows: [record(1), record(2), record(3)] }),
      t.store.append({ rows: [record(4)] }),
      t.store.append({ rows: [record(4)] }), // the same id twice in one group
    ]);
    assert.deepEqual(results, ["duplicate", "logged", "duplicate"]);
    assert.deepEqual((await all(t)).map((r) => r.request_id), ["r2", "r4"]);
  },
);

storeTest(
  "in one group, one-row and batch entries sharing an id: the first logs, the later is refused",
  async (t) => {
    const results = await Promise.all([
      t.store.append({ rows: [record(1)] }),
      t.store.append({ rows: [record(1), record(2)] }), // r1 taken by the one-row entry above
      t.store.append({ rows: [record(3), record(4)] }),
      t.store.append({ rows: [record(4)] }), // r4 taken by the batch above
      t.store.append({ rows: [record(5), record(5)] }), // the same id twice in one entry
      // r6 and r7 go in before r3 is found taken: the whole entry is undone …
      t.store.append({ rows: [record(6), record(7), record(3)] }),
      t.store.append({ rows: [record(6)] }), // … so r6 is still free
    ]);
    assert.deepEqual(results, [
      "logged",
      "duplicate",
      "logged",
      "duplicate",
      "duplicate",
      "duplicate",
      "logged",
    ]);
    assert.deepEqual((await all(t)).map((r) => r.request_id), ["r1", "r3", "r4", "r6"]);
    assert.equal((await t.store.rollups.totals()).n, 4, "refused entries leave no rollup");
  },
);

storeTest("shadow scores are written with their prediction, in the same commit", async (t) => {
  const entry: LogEntry = {
    rows: [record(1), record(2)],
    shadows: [
      { row: 1, model_version: "m2", proba_default: 0.7, threshold: 0.5, decision: 1 },
      { row: 0, model_version: "m2", proba_default: 0.1, threshold: 0.5, decision: 0 },
    ],
  };
  assert.equal(await t.store.append(entry), "logged");
  assert.equal(await t.countRows("shadow_predictions"), 2);
  assert.equal(await t.store.append(entry), "duplicate");
  assert.equal(await t.countRows("shadow_predictions"), 2, "a refused entry writes no shadow");
});

storeTest("close commits entries still queued", async (t) => {
  const pending = t.store.append({ rows: [record(1)] });
  await t.store.close();
  assert.equal(await pending, "logged");
  assert.equal(await t.countRows("predictions"), 1);
}, { flushDelayMs: 1000 });

storeTest("checkWritable probes a write", async (t) => {
  assert.equal(await t.store.checkWritable(), true);
});
