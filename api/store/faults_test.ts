/**
 * Store-level faults: a full disk, a query-only connection. The same faults
 * seen through the HTTP API are in api/routes/faults_test.ts.
 */
import assert from "node:assert/strict";
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

function tempStore(options: StoreOptions = {}) {
  return createTempStore(options);
}

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
