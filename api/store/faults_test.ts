/**
 * SQLite store faults: a full disk, a query-only connection, a lock held by
 * another connection. The same faults seen through the HTTP API are in
 * api/routes/faults_test.ts.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createTempStore, testRecord } from "../testing/temp_store.ts";
import { openStore, StoreWriteError } from "./mod.ts";

let seq = 0;
const record = () =>
  testRecord(`r${++seq}`, { input_json: JSON.stringify({ pad: "x".repeat(500) }) });

Deno.test("a full disk fails appends; ready stays false until space is freed and a commit succeeds", async () => {
  // max_page_count below the current size pins the database at its size: a full disk.
  await using t = await createTempStore({ pragmas: ["max_page_count = 1"] });
  let failure: unknown;
  for (let i = 0; i < 10_000 && failure === undefined; i++) {
    await t.store.append({ rows: [record()] }).catch((err) => failure = err);
  }
  assert.ok(failure instanceof StoreWriteError, "the database filled up");
  assert.match(failure.message, /database or disk is full/);
  const logged = await t.store.predictions.count();
  assert.equal(
    await t.store.checkWritable(),
    false,
    "not ready: the one-row probe alone would pass on a full disk",
  );
  assert.equal(await t.store.erase.olderThan("2030-01-01"), logged, "the operator frees space");
  await t.store.append({ rows: [record()] });
  assert.equal(await t.store.predictions.count(), 1);
  assert.equal(await t.store.checkWritable(), true, "ready again after a successful commit");
});

Deno.test("a store whose connection is query-only refuses writes and is not ready", async () => {
  await using t = await createTempStore({ pragmas: ["query_only = ON"] });
  await assert.rejects(t.store.append({ rows: [record()] }), StoreWriteError);
  assert.equal(await t.store.checkWritable(), false);
  assert.equal(await t.store.predictions.count(), 0);
});

Deno.test("a lock held by another connection fails the write (503), not hangs, and clears", async () => {
  await using t = await createTempStore();
  assert.equal(await t.store.checkWritable(), true);
  const other = new DatabaseSync(t.path);
  other.exec("BEGIN IMMEDIATE");
  assert.equal(await t.store.checkWritable(), false);
  await assert.rejects(t.store.append({ rows: [record()] }), StoreWriteError);
  other.exec("ROLLBACK");
  other.close();
  assert.equal(await t.store.checkWritable(), true);
  assert.equal(await t.store.append({ rows: [record()] }), "logged");
});

Deno.test("a read-only store reads, and refuses to write", async () => {
  await using t = await createTempStore();
  await t.store.append({ rows: [record()] });
  const reader = await openStore(t.path, { readOnly: true });
  try {
    assert.equal(await reader.predictions.count(), 1);
    await assert.rejects(reader.append({ rows: [record()] }), StoreWriteError);
    assert.equal(await reader.checkWritable(), false);
  } finally {
    await reader.close();
  }
});
