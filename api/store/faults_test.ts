/**
 * Store-level faults: the writer thread dying, a full disk. The same faults
 * seen through the HTTP API are in api/routes/faults_test.ts.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Worker } from "node:worker_threads";
import { createTempStore } from "../testing/temp_store.ts";
import { type PredictionRecord, type StoreOptions, StoreWriteError } from "./mod.ts";
import { deleteOlderThan } from "./retention.ts";

let seq = 0;
function record(): PredictionRecord {
  seq += 1;
  return {
    ts_utc: "2026-01-01T00:00:00.000Z",
    request_id: `r${seq}`,
    model_version: "m1",
    proba_default: 0.1,
    threshold: 0.5,
    decision: "approve",
    latency_ms: 1,
    input_json: JSON.stringify({ pad: "x".repeat(500) }),
  };
}

async function tempStore(options: StoreOptions = {}) {
  const threads: Worker[] = [];
  const t = await createTempStore({
    writer: "worker",
    onWriterThread: (w) => threads.push(w),
    ...options,
  });
  return Object.assign(t, { threads });
}

Deno.test("a writer thread killed mid-commit fails its pending appends at once (no hang)", async () => {
  // maxBatchRows 1: each append is handed to the thread synchronously; a lock held
  // elsewhere keeps its commit waiting in the thread until the kill.
  await using t = await tempStore({
    maxBatchRows: 1,
    writerRestartDelayMs: 60_000,
    busyTimeoutMs: 10_000,
  });
  await t.store.append([record()]);
  const other = new DatabaseSync(t.path);
  other.exec("BEGIN IMMEDIATE");
  const inFlight = [t.store.append([record()]), t.store.append([record()])];
  await t.threads[0].terminate();
  other.exec("ROLLBACK");
  other.close();
  for (const p of inFlight) await assert.rejects(p, StoreWriteError);
  await assert.rejects(t.store.append([record()]), /writer thread exited/, "fails fast meanwhile");
  assert.equal(t.store.checkWritable(), false, "not ready while the writer is down");
  assert.equal(t.threads.length, 1, "no restart before the delay");
});

Deno.test("after the restart delay, the next append starts a new writer thread and commits", async () => {
  await using t = await tempStore({ writerRestartDelayMs: 0 });
  await t.store.append([record()]);
  await t.threads[0].terminate();
  await t.store.append([record()]);
  assert.equal(t.threads.length, 2);
  assert.equal(t.store.count(), 2);
  assert.equal(t.store.checkWritable(), true);
});

Deno.test("a full disk fails appends; ready stays false until space is freed and a commit succeeds", async () => {
  // max_page_count below the current size pins the database at its size: a full disk.
  await using t = await tempStore({ pragmas: ["max_page_count = 1"] });
  let failure: unknown;
  for (let i = 0; i < 10_000 && failure === undefined; i++) {
    await t.store.append([record()]).catch((err) => failure = err);
  }
  assert.ok(failure instanceof StoreWriteError, "the database filled up");
  assert.match(failure.message, /database or disk is full/);
  const logged = t.store.count();
  assert.equal(
    t.store.checkWritable(),
    false,
    "not ready: the one-row probe alone would pass on a full disk",
  );
  assert.ok(await deleteOlderThan(t.store.db, "2030-01-01") === logged, "the operator frees space");
  await t.store.append([record()]);
  assert.equal(t.store.count(), 1);
  assert.equal(t.store.checkWritable(), true, "ready again after a successful commit");
});

Deno.test("a store whose connections are query-only refuses writes and is not ready", async () => {
  await using t = await tempStore({ pragmas: ["query_only = ON"] });
  await assert.rejects(t.store.append([record()]), StoreWriteError);
  assert.equal(t.store.checkWritable(), false);
  assert.equal(t.store.count(), 0);
});
