import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { createTempStore } from "../testing/temp_store.ts";
import { openStore, type PredictionRecord, StoreWriteError } from "./mod.ts";

function record(i: number, ts: string): PredictionRecord {
  return {
    ts_utc: ts,
    request_id: `r${i}`,
    model_version: "m1",
    proba_default: i / 100,
    threshold: 0.5,
    decision: i >= 50 ? "reject" : "approve",
    latency_ms: 1,
    input_json: JSON.stringify({ i }),
    reasons_json: null,
  };
}

const tempStore = () => createTempStore({ file: "nested/log.sqlite" });

Deno.test("openStore creates the directory, uses WAL, round-trips rows", async () => {
  await using t = await tempStore();
  assert.equal(
    (t.store.db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode,
    "wal",
  );
  const rows = [record(1, "2026-01-01T00:00:00.000Z"), record(2, "2026-01-02T00:00:00.000Z")];
  await Promise.all(rows.map((r) => t.store.append([r])));
  assert.equal(t.store.count(), 2);
  const back = [...t.store.iterate()].map(({ id: _id, ...r }) => ({ ...r }));
  assert.deepEqual(back, rows);
  const minutes = t.store.db.prepare("SELECT sum(n) AS n FROM prediction_minutes").get() as {
    n: number;
  };
  assert.equal(minutes.n, 2, "the rollup is written in the same transaction");
});

Deno.test("iterate filters by time window and keeps the most recent `limit` rows, oldest first", async () => {
  await using t = await tempStore();
  const day = (d: number) => `2026-01-${String(d).padStart(2, "0")}T00:00:00.000Z`;
  await t.store.append([1, 2, 3, 4, 5].map((d) => record(d, day(d))));
  const ids = (q: Parameters<typeof t.store.iterate>[0]) =>
    [...t.store.iterate(q)].map((r) => r.request_id);
  assert.deepEqual(ids({ since: day(2), until: day(4) }), ["r2", "r3"]);
  assert.deepEqual(ids({ limit: 2 }), ["r4", "r5"]);
  assert.deepEqual(ids({ until: day(4), limit: 2 }), ["r2", "r3"]);
});

Deno.test("rows committed by the store are visible to another connection", async () => {
  await using t = await tempStore();
  await t.store.append([record(7, "2026-01-01T00:00:00.000Z")]);
  const other = new DatabaseSync(t.path, { readOnly: true });
  const row = other.prepare("SELECT request_id FROM predictions").get() as { request_id: string };
  assert.equal(row.request_id, "r7");
  other.close();
});

Deno.test("a batch that fails midway rolls back entirely", async () => {
  await using t = await tempStore();
  const bad = {
    ...record(2, "2026-01-01T00:00:00.000Z"),
    decision: "maybe",
  } as unknown as PredictionRecord;
  await assert.rejects(
    t.store.append([record(1, "2026-01-01T00:00:00.000Z"), bad]),
    StoreWriteError,
  );
  assert.equal(t.store.count(), 0);
  await t.store.append([record(3, "2026-01-01T00:00:00.000Z")]);
  assert.equal(t.store.count(), 1);
});

Deno.test("checkWritable is false while another connection holds the write lock", async () => {
  await using t = await tempStore();
  assert.equal(t.store.checkWritable(), true);
  const other = new DatabaseSync(t.path);
  other.exec("BEGIN IMMEDIATE");
  assert.equal(t.store.checkWritable(), false);
  await assert.rejects(
    t.store.append([record(1, "2026-01-01T00:00:00.000Z")]),
    StoreWriteError,
    "a locked database fails the write instead of hanging",
  );
  other.exec("ROLLBACK");
  other.close();
  assert.equal(t.store.checkWritable(), true);
});

Deno.test("close commits rows still queued", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "log.sqlite");
  const store = openStore(path, { flushDelayMs: 1000 });
  const pending = store.append([record(1, "2026-01-01T00:00:00.000Z")]);
  await store.close();
  await pending;
  const db = new DatabaseSync(path);
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM predictions").get() as { n: number }).n, 1);
  db.close();
  await Deno.remove(dir, { recursive: true });
});
