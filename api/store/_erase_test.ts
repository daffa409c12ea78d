import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import fc from "fast-check";
import { createTempStore, storeTest, type TempStore, testRecord } from "../testing/temp_store.ts";
import { startRetention } from "./mod.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

const record = (requestId: string, ts: number, clientId = "") =>
  testRecord(requestId, { ts_utc: new Date(ts).toISOString(), client_id: clientId });

/** Records an outcome of a logged prediction through the store, as /feedback does. */
async function addOutcome(t: TempStore, requestId: string, clientId = "") {
  const result = await t.store.outcomes.record({
    request_id: requestId,
    client_id: clientId,
    outcome: "repaid",
    observed_at: "2027-01-01T00:00:00.000Z",
  }, new Date("2027-01-02T00:00:00.000Z"));
  assert.equal(result.status, "recorded");
}

const labelled = async (t: TempStore) =>
  (await t.store.outcomes.labelledOnly({ limit: 100, scanRows: 100 })).length;

Deno.test("erase.olderThan deletes exactly the rows before the cutoff, in chunks, whatever the chunk size", async () => {
  // Ages in days, some on the cutoff itself (kept: the bound is exclusive).
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 0, maxLength: 80 }),
      fc.integer({ min: 1, max: 25 }),
      async (days, chunkRows) => {
        await using t = await createTempStore();
        const rows = days.map((d, i) => record(`r${i}`, T0 + d * DAY));
        if (rows.length) await t.store.append({ rows });
        const cutoff = new Date(T0 + 30 * DAY).toISOString();
        const expectedKept = rows.filter((r) => r.ts_utc >= cutoff).map((r) => r.request_id);
        const deleted = await t.store.erase.olderThan(cutoff, { chunkRows, pauseMs: 0 });
        assert.equal(deleted, rows.length - expectedKept.length);
        assert.deepEqual(await t.ids(), expectedKept);
      },
    ),
    { numRuns: 25 },
  );
});

storeTest(
  "erase.olderThan takes the outcomes and shadow scores of deleted predictions with them",
  async (t) => {
    await t.store.append({
      rows: [record("old", T0), record("new", T0 + 40 * DAY)],
      shadows: [
        { row: 0, model_version: "m2", proba_default: 0.3, threshold: 0.5, decision: 0 },
        { row: 1, model_version: "m2", proba_default: 0.3, threshold: 0.5, decision: 0 },
      ],
    });
    await t.store.append({ rows: [record("old", T0 + 40 * DAY, "other-client")] });
    for (const id of ["old", "new"]) await addOutcome(t, id);
    await addOutcome(t, "old", "other-client");
    const deleted = await t.store.erase.olderThan(new Date(T0 + 30 * DAY).toISOString());
    assert.equal(deleted, 1);
    assert.deepEqual(await t.ids(), ["new", "old"]);
    assert.equal(await labelled(t), 2, "the other client's `old` keeps its outcome");
    assert.equal(await t.countRows("shadow_predictions"), 1);
  },
);

storeTest(
  "erase.olderThan refuses a cutoff that is not a date, and stops when aborted",
  async (t) => {
    await assert.rejects(t.store.erase.olderThan("last tuesday"), RangeError);
    await t.store.append({ rows: Array.from({ length: 10 }, (_, i) => record(`r${i}`, T0)) });
    const abort = new AbortController();
    abort.abort();
    assert.equal(await t.store.erase.olderThan("2030-01-01", { signal: abort.signal }), 0);
    assert.equal(await t.store.predictions.count(), 10);
  },
);

Deno.test("sqlite: deleted input does not stay on disk: secure delete and a truncated WAL", async () => {
  await using t = await createTempStore();
  const marker = "applicant-to-forget-7f3a";
  await t.store.append({ rows: [record(marker, T0), record("keep", T0 + 40 * DAY)] });
  assert.equal(await t.store.erase.olderThan(new Date(T0 + DAY).toISOString()), 1);
  const bytes = new TextDecoder("latin1").decode(await Deno.readFile(t.path));
  const wal = await Deno.readFile(`${t.path}-wal`).catch(() => new Uint8Array());
  assert.ok(!bytes.includes(`applicant ${marker}`), "the database file no longer holds the row");
  assert.ok(!new TextDecoder("latin1").decode(wal).includes(marker), "nor does the WAL");
  assert.ok(bytes.includes("applicant keep"), "positive control: a kept row is found this way");
});

storeTest(
  "erase.byRequestId deletes one prediction or one batch item, and its outcome",
  async (t) => {
    await t.store.append({
      rows: [
        record("single", T0),
        record("b_1:0", T0),
        record("b_1:1", T0),
        record("b_1:10", T0),
        record("bX1:0", T0), // `_` is not a wildcard here
        record("b_1-other", T0),
      ],
    });
    await addOutcome(t, "single");
    await addOutcome(t, "b_1:1");

    const single = await t.store.erase.byRequestId("single");
    assert.deepEqual(single, {
      predictions: 1,
      related: { outcomes: 1, shadow_predictions: 0 },
      batchItemsKept: 0,
      scrubbed: true,
    });
    assert.equal((await t.store.erase.byRequestId("b_1:1")).predictions, 1);
    assert.deepEqual(await t.ids(), ["b_1:0", "b_1:10", "bX1:0", "b_1-other"]);
    assert.equal(await t.countRows("outcomes"), 0);
  },
);

storeTest("erase.byRequestId of a batch id keeps its items unless wholeBatch is set", async (t) => {
  await t.store.append({
    rows: ["b_1:0", "b_1:1", "b_1:10", "bX1:0", "b_1-other", "b_10:0"].map((id) => record(id, T0)),
  });
  const batchId = await t.store.erase.byRequestId("b_1");
  assert.equal(batchId.predictions, 0);
  assert.equal(batchId.batchItemsKept, 3);
  assert.equal(await t.store.predictions.count(), 6);
  const whole = await t.store.erase.byRequestId("b_1", { wholeBatch: true });
  assert.equal(whole.predictions, 3);
  assert.deepEqual(await t.ids(), ["bX1:0", "b_1-other", "b_10:0"]);
});

storeTest("erase.byRequestId can be limited to one client", async (t) => {
  await t.store.append({ rows: [record("x", T0, "a"), record("x", T0, "b")] });
  assert.equal((await t.store.erase.byRequestId("x", { clientId: "a" })).predictions, 1);
  assert.deepEqual(
    (await t.store.predictions.findByRequestId("x")).map((r) => r.client_id),
    ["b"],
  );
});

storeTest("startRetention deletes rows older than `days` at once and stops cleanly", async (t) => {
  const now = new Date(T0 + 100 * DAY);
  await t.store.append({ rows: [record("ancient", T0), record("recent", T0 + 95 * DAY)] });
  const passes: { deleted: number; cutoff: string }[] = [];
  const firstPass = Promise.withResolvers<void>();
  const stop = startRetention(t.store.erase, {
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
  assert.deepEqual(await t.ids(), ["recent"]);
});

storeTest("startRetention with days = 0 keeps everything and starts no timer", async (t) => {
  await t.store.append({ rows: [record("ancient", 0)] });
  const stop = startRetention(t.store.erase, { days: 0, onPass: () => assert.fail("no pass") });
  await stop();
  assert.equal(await t.store.predictions.count(), 1);
});

Deno.test("sqlite: a retention pass that fails (database locked) is reported and retried later", async () => {
  await using t = await createTempStore();
  await t.store.append({ rows: [record("ancient", T0)] });
  const other = new DatabaseSync(t.path);
  other.exec("BEGIN IMMEDIATE");
  const failed = Promise.withResolvers<unknown>();
  const stop = startRetention(t.store.erase, { days: 1, onError: (err) => failed.resolve(err) });
  const err = await failed.promise;
  await stop();
  other.exec("ROLLBACK");
  other.close();
  assert.match((err as Error).message, /locked|busy/i);
  assert.equal(await t.store.predictions.count(), 1, "nothing half-deleted");
});

/** The text of the database and WAL files (latin1: every byte is one character). */
async function onDisk(path: string): Promise<string> {
  const read = (p: string) => Deno.readFile(p).catch(() => new Uint8Array());
  const latin1 = new TextDecoder("latin1");
  return latin1.decode(await read(path)) + latin1.decode(await read(`${path}-wal`));
}

/** Another connection holding a read snapshot (a long drift run, a backup), until `release`. */
function openReader(path: string) {
  const db = new DatabaseSync(path, { readOnly: true });
  db.exec("BEGIN");
  db.prepare("SELECT count(*) FROM predictions").get();
  return {
    release() {
      if (db.isTransaction) db.exec("COMMIT");
      db.close();
    },
  };
}

Deno.test("sqlite: an erased request id leaves no copy in the free space of the request-id index", async () => {
  await using t = await createTempStore();
  // Random ids, as the API issues them, inserted in small groups: the unique index on
  // (request_id, client_id) splits and moves its cells many times over.
  const ids = Array.from({ length: 20_000 }, () => crypto.randomUUID());
  for (let i = 0; i < ids.length; i += 50) {
    await t.store.append({ rows: ids.slice(i, i + 50).map((id) => record(id, T0)) });
  }
  const victims = ids.filter((_, i) => i % 250 === 17);
  for (const id of victims) {
    const erased = await t.store.erase.byRequestId(id);
    assert.equal(erased.predictions, 1);
    assert.equal(erased.scrubbed, true);
  }
  const text = await onDisk(t.path);
  assert.deepEqual(victims.filter((id) => text.includes(id)), [], "no erased id left on disk");
  assert.ok(text.includes(ids[18]), "positive control: a kept id is found this way");
});

Deno.test("sqlite: a reader's old snapshot holds up the scrub: the erasure says so, and erasing again finishes it", async () => {
  await using t = await createTempStore();
  const marker = "applicant-held-by-a-reader-51c2";
  await t.store.append({ rows: [record(marker, T0), record("keep", T0)] });
  assert.equal(await t.store.erase.scrub(), true, "the WAL is checkpointed and empty");
  const reader = openReader(t.path);
  let erased;
  try {
    erased = await t.store.erase.byRequestId(marker, { scrubWaitMs: 300 });
  } finally {
    // Checked before the reader goes: its snapshot still needs the old pages.
    assert.ok((await onDisk(t.path)).includes(marker), "old copies remain while it reads");
    reader.release();
  }
  assert.deepEqual([erased.predictions, erased.scrubbed], [1, false], "not reported as done");
  assert.deepEqual(await t.ids(), ["keep"], "the row itself is gone from the table");

  const again = await t.store.erase.byRequestId(marker, { scrubWaitMs: 0 });
  assert.deepEqual([again.predictions, again.scrubbed], [0, true], "nothing left to delete");
  assert.ok(!(await onDisk(t.path)).includes(marker), "and no copy left on disk");
  assert.ok((await onDisk(t.path)).includes("applicant keep"), "positive control");
});

Deno.test("sqlite: the scrub is retried while it is held up, and succeeds once the reader is gone", async () => {
  await using t = await createTempStore();
  const marker = "applicant-reader-leaves-9e07";
  await t.store.append({ rows: [record(marker, T0)] });
  await t.store.erase.scrub();
  const reader = openReader(t.path);
  // The first attempt runs within this turn of the event loop, before any timer: it is held up.
  setTimeout(() => reader.release(), 0);
  const erased = await t.store.erase.byRequestId(marker, { scrubWaitMs: 10_000 });
  assert.equal(erased.scrubbed, true);
  assert.ok(!(await onDisk(t.path)).includes(marker));
});

Deno.test("sqlite: retention reports a held-up scrub and finishes it on a later pass", async () => {
  await using t = await createTempStore();
  const marker = "applicant-retained-too-long-3d8a";
  await t.store.append({ rows: [record(marker, T0), record("recent", T0 + 95 * DAY)] });
  await t.store.erase.scrub();
  const reader = openReader(t.path);
  const passes: [number, boolean][] = [];
  const second = Promise.withResolvers<void>();
  // Retention's timer between passes does not keep a process alive; this does, until the end.
  const keepAlive = setInterval(() => {}, 60_000);
  const stop = startRetention(t.store.erase, {
    days: 30,
    now: () => new Date(T0 + 100 * DAY),
    intervalMs: 1,
    scrubWaitMs: 0,
    onPass: (deleted, _cutoff, scrubbed) => {
      passes.push([deleted, scrubbed]);
      if (passes.length === 1) reader.release();
      if (passes.length === 2) second.resolve();
    },
  });
  await second.promise;
  await stop();
  clearInterval(keepAlive);
  assert.deepEqual(passes.slice(0, 2), [[1, false], [0, true]]);
  assert.ok(!(await onDisk(t.path)).includes(marker));
});
