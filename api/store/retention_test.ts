import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import fc from "fast-check";
import { createTempStore } from "../testing/temp_store.ts";
import type { PredictionRecord } from "./mod.ts";
import { deleteByRequestId, deleteOlderThan, relatedTables, startRetention } from "./retention.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

function record(requestId: string, ts: number): PredictionRecord {
  return {
    ts_utc: new Date(ts).toISOString(),
    request_id: requestId,
    model_version: "m1",
    proba_default: 0.2,
    threshold: 0.5,
    decision: "approve",
    latency_ms: 1,
    input_json: JSON.stringify({ Income: 1234, secret: `applicant ${requestId}` }),
  };
}

const tempStore = () => createTempStore();

/** An outcome table shaped like the one the feedback route writes (created if absent). */
function ensureOutcomes(db: DatabaseSync) {
  db.exec(`CREATE TABLE IF NOT EXISTS outcomes (
    request_id TEXT PRIMARY KEY, outcome TEXT NOT NULL, observed_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL) WITHOUT ROWID`);
  return (id: string) =>
    db.prepare("INSERT INTO outcomes VALUES (?, 'repaid', '2026-02-01', '2026-02-01')").run(id);
}

const outcomeIds = (db: DatabaseSync) =>
  (db.prepare("SELECT request_id FROM outcomes ORDER BY request_id").all() as {
    request_id: string;
  }[]).map((r) => r.request_id);

Deno.test("deleteOlderThan deletes exactly the rows before the cutoff, in chunks, whatever the chunk size", async () => {
  await using t = await tempStore();
  // Ages in days, some on the cutoff itself (kept: the bound is exclusive).
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 0, maxLength: 80 }),
      fc.integer({ min: 1, max: 25 }),
      async (days, chunkRows) => {
        t.store.db.exec("DELETE FROM predictions");
        const rows = days.map((d, i) => record(`r${i}`, T0 + d * DAY));
        if (rows.length) await t.store.append(rows);
        const cutoff = new Date(T0 + 30 * DAY).toISOString();
        const expectedKept = rows.filter((r) => r.ts_utc >= cutoff).map((r) => r.request_id);
        const deleted = await deleteOlderThan(t.store.db, cutoff, { chunkRows, pauseMs: 0 });
        assert.equal(deleted, rows.length - expectedKept.length);
        assert.deepEqual(t.ids(), expectedKept);
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("deleteOlderThan takes outcomes of deleted predictions with them, and keeps the others", async () => {
  await using t = await tempStore();
  const addOutcome = ensureOutcomes(t.store.db);
  await t.store.append([
    record("old", T0),
    record("new", T0 + 40 * DAY),
    record("both", T0), // logged twice (the client reused its id): old and new
    record("both", T0 + 40 * DAY),
  ]);
  for (const id of ["old", "new", "both"]) addOutcome(id);
  assert.deepEqual(relatedTables(t.store.db), ["outcomes"]);
  const deleted = await deleteOlderThan(t.store.db, new Date(T0 + 30 * DAY).toISOString());
  assert.equal(deleted, 2);
  assert.deepEqual(t.ids(), ["new", "both"]);
  assert.deepEqual(outcomeIds(t.store.db), ["both", "new"], "an id still logged keeps its outcome");
});

Deno.test("deleteOlderThan refuses a cutoff that is not a date, and stops when aborted", async () => {
  await using t = await tempStore();
  await assert.rejects(deleteOlderThan(t.store.db, "last tuesday"), RangeError);
  await t.store.append(Array.from({ length: 10 }, (_, i) => record(`r${i}`, T0)));
  const abort = new AbortController();
  abort.abort();
  assert.equal(await deleteOlderThan(t.store.db, "2030-01-01", { signal: abort.signal }), 0);
  assert.equal(t.store.count(), 10);
});

Deno.test("deleted input does not stay on disk: secure delete and a truncated WAL", async () => {
  await using t = await tempStore();
  const marker = "applicant-to-forget-7f3a";
  await t.store.append([record(marker, T0), record("keep", T0 + 40 * DAY)]);
  assert.equal(await deleteOlderThan(t.store.db, new Date(T0 + DAY).toISOString()), 1);
  const bytes = new TextDecoder("latin1").decode(await Deno.readFile(t.path));
  const wal = await Deno.readFile(`${t.path}-wal`).catch(() => new Uint8Array());
  assert.ok(!bytes.includes(marker), "the database file no longer holds the row");
  assert.ok(!new TextDecoder("latin1").decode(wal).includes(marker), "nor does the WAL");
  assert.ok(bytes.includes("applicant keep"), "positive control: a kept row is found this way");
});

Deno.test("deleteByRequestId deletes one prediction or one batch item, and its outcome", async () => {
  await using t = await tempStore();
  const addOutcome = ensureOutcomes(t.store.db);
  await t.store.append([
    record("single", T0),
    record("b_1:0", T0),
    record("b_1:1", T0),
    record("b_1:10", T0),
    record("bX1:0", T0), // `_` is not a wildcard here
    record("b_1-other", T0),
  ]);
  addOutcome("single");
  addOutcome("b_1:1");

  assert.deepEqual(deleteByRequestId(t.store.db, "single"), {
    predictions: 1,
    related: { outcomes: 1 },
    batchItemsKept: 0,
  });
  assert.deepEqual(deleteByRequestId(t.store.db, "b_1:1"), {
    predictions: 1,
    related: { outcomes: 1 },
    batchItemsKept: 0,
  });
  assert.deepEqual(t.ids(), ["b_1:0", "b_1:10", "bX1:0", "b_1-other"]);
  assert.deepEqual(outcomeIds(t.store.db), []);
});

Deno.test("deleteByRequestId of a batch id keeps its items unless wholeBatch is set", async () => {
  await using t = await tempStore();
  await t.store.append([
    record("b_1:0", T0),
    record("b_1:1", T0),
    record("b_1:10", T0),
    record("bX1:0", T0),
    record("b_1-other", T0),
    record("b_10:0", T0),
  ]);
  const batchId = deleteByRequestId(t.store.db, "b_1");
  assert.equal(batchId.predictions, 0);
  assert.equal(batchId.batchItemsKept, 3);
  assert.equal(t.store.count(), 6);
  const whole = deleteByRequestId(t.store.db, "b_1", { wholeBatch: true });
  assert.equal(whole.predictions, 3);
  assert.deepEqual(t.ids(), ["bX1:0", "b_1-other", "b_10:0"]);
});

Deno.test("startRetention deletes rows older than `days` at once and stops cleanly", async () => {
  await using t = await tempStore();
  const now = new Date(T0 + 100 * DAY);
  await t.store.append([
    record("ancient", T0),
    record("recent", T0 + 95 * DAY),
  ]);
  const passes: { deleted: number; cutoff: string }[] = [];
  const firstPass = Promise.withResolvers<void>();
  const stop = startRetention({
    db: t.store.db,
    days: 30,
    now: () => now,
    intervalMs: 3_600_000,
    onPass: (deleted, cutoff) => {
      passes.push({ deleted, cutoff });
      firstPass.resolve();
    },
  });
  await firstPass.promise;
  await stop();
  assert.deepEqual(passes, [{ deleted: 1, cutoff: new Date(T0 + 70 * DAY).toISOString() }]);
  assert.deepEqual(t.ids(), ["recent"]);
});

Deno.test("startRetention with days = 0 keeps everything and starts no timer", async () => {
  await using t = await tempStore();
  await t.store.append([record("ancient", 0)]);
  const stop = startRetention({ db: t.store.db, days: 0, onPass: () => assert.fail("no pass") });
  await stop();
  assert.equal(t.store.count(), 1);
});

Deno.test("a retention pass that fails (database locked) is reported and retried later", async () => {
  await using t = await tempStore();
  await t.store.append([record("ancient", T0)]);
  const other = new DatabaseSync(t.path);
  other.exec("BEGIN IMMEDIATE");
  const failed = Promise.withResolvers<unknown>();
  const stop = startRetention({
    db: t.store.db,
    days: 1,
    onError: (err) => failed.resolve(err),
  });
  const err = await failed.promise;
  await stop();
  other.exec("ROLLBACK");
  other.close();
  assert.match((err as Error).message, /locked|busy/i);
  assert.equal(t.store.count(), 1, "nothing half-deleted");
});
