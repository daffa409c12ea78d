import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import fc from "fast-check";
import { SCORE_BIN_EDGES, scoreBinCounts } from "./histograms.ts";
import { minuteOf, openStore, type PredictionRecord, type PredictionTotals } from "./mod.ts";
import { migrate, MIGRATIONS } from "./_sqlite_schema.ts";
import { rollupReads } from "./_rollups.ts";
import { sqliteExecutor } from "./_sqlite.ts";
import { storeTest, testRecord } from "../testing/temp_store.ts";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");

const rowArb = fc.record({
  offsetMs: fc.integer({ min: 0, max: 10 * 60_000 - 1 }),
  version: fc.constantFrom("a", "b"),
  proba: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...SCORE_BIN_EDGES)),
  reject: fc.boolean(),
});

interface RowSpec {
  offsetMs: number;
  version: string;
  proba: number;
  reject: boolean;
}

function record(r: RowSpec, i: number): PredictionRecord {
  return testRecord(`r${i}`, {
    ts_utc: new Date(T0 + r.offsetMs).toISOString(),
    model_version: r.version,
    proba_default: r.proba,
    decision: r.reject ? 1 : 0,
    latency_ms: 1 + (i % 7),
    input_json: "{}",
  });
}

function expected(rows: readonly PredictionRecord[], ids: readonly number[]) {
  return {
    n: rows.length,
    rejects: rows.filter((r) => r.decision === 1).length,
    sumProba: rows.reduce((s, r) => s + r.proba_default, 0),
    sumLatencyMs: rows.reduce((s, r) => s + r.latency_ms, 0),
    minId: ids.length ? Math.min(...ids) : null,
    maxId: ids.length ? Math.max(...ids) : null,
    scoreCounts: scoreBinCounts(rows.map((r) => r.proba_default)),
  };
}

function assertTotals(
  actual: PredictionTotals,
  want: ReturnType<typeof expected>,
) {
  assert.equal(actual.n, want.n);
  assert.equal(actual.rejects, want.rejects);
  assert.ok(Math.abs(actual.sumProba - want.sumProba) < 1e-9);
  assert.ok(Math.abs(actual.sumLatencyMs - want.sumLatencyMs) < 1e-9);
  assert.equal(actual.minId, want.minId);
  assert.equal(actual.maxId, want.maxId);
  assert.deepEqual(actual.scoreCounts, want.scoreCounts);
}

Deno.test("the rollup agrees with the logged rows, per window and per version", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(rowArb, { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 0, max: 9 }),
      async (spec, fromOffset) => {
        const store = await openStore(":memory:");
        try {
          const rows = spec.map(record);
          await store.append({ rows });
          const ids = rows.map((_, i) => i + 1);
          assertTotals(await store.rollups.totals(), expected(rows, ids));

          const fromMinute = minuteOf(T0) + fromOffset;
          const inWindow = rows.flatMap((r, i) => (minuteOf(r.ts_utc) >= fromMinute ? [i] : []));
          assertTotals(
            await store.rollups.totals({ fromMinute, modelVersion: "a" }),
            expected(
              inWindow.filter((i) => rows[i].model_version === "a").map((i) => rows[i]),
              inWindow.filter((i) => rows[i].model_version === "a").map((i) => ids[i]),
            ),
          );

          const series = await store.rollups.series({ bucketMinutes: 3 });
          const byBucket = new Map<number, number>();
          for (const r of rows) {
            const b = Math.floor(minuteOf(r.ts_utc) / 3) * 3;
            byBucket.set(b, (byBucket.get(b) ?? 0) + 1);
          }
          assert.deepEqual(
            series.map((b) => [b.minute, b.n]),
            [...byBucket].sort((x, y) => x[0] - y[0]),
          );
        } finally {
          await store.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("migration 2 backfills the rollup from rows logged before it", async () => {
  const rows = Array.from(
    { length: 50 },
    (_, i) =>
      record({
        offsetMs: i * 37_000,
        version: i % 3 ? "a" : "b",
        proba: i / 50,
        reject: i % 4 === 0,
      }, i),
  );
  const db = new DatabaseSync(":memory:");
  db.exec(MIGRATIONS[0]);
  db.exec("PRAGMA user_version = 1");
  // Rows as version 1 stored them (later versions add columns).
  const insertV1 = db.prepare(
    `INSERT INTO predictions (ts_utc, request_id, model_version, proba_default, threshold,
       decision, latency_ms, input_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const r of rows) {
    insertV1.run(
      r.ts_utc,
      r.request_id,
      r.model_version,
      r.proba_default,
      r.threshold,
      r.decision === 1 ? "reject" : "approve",
      r.latency_ms,
      r.input_json,
    );
  }
  migrate(db);
  const rollups = rollupReads(sqliteExecutor(db));
  assertTotals(await rollups.totals(), expected(rows, rows.map((_, i) => i + 1)));
  const versions = await rollups.versions();
  assert.deepEqual(
    versions.map((v) => [v.modelVersion, v.n]).sort(),
    [["a", rows.filter((r) => r.model_version === "a").length], [
      "b",
      rows.filter((r) => r.model_version === "b").length,
    ]],
  );
  assert.deepEqual(await rollups.minuteSpan(), {
    firstMinute: minuteOf(rows[0].ts_utc),
    lastMinute: minuteOf(rows[49].ts_utc),
  });
  db.close();
});

storeTest("an unparseable timestamp is still logged (rolled up at minute 0)", async (t) => {
  await t.store.append({
    rows: [{
      ...record({ offsetMs: 0, version: "a", proba: 0.3, reject: false }, 0),
      ts_utc: "not a time",
    }],
  });
  assert.equal(await t.store.predictions.count(), 1);
  assert.equal((await t.store.rollups.totals({ toMinute: 1 })).n, 1);
});

storeTest("an empty log has empty aggregates", async (t) => {
  const totals = await t.store.rollups.totals();
  assert.equal(totals.n, 0);
  assert.equal(totals.minId, null);
  assert.deepEqual(await t.store.rollups.series({ bucketMinutes: 5 }), []);
  assert.equal(await t.store.rollups.minuteSpan(), null);
});

storeTest("versions and series read per model version and bucket", async (t) => {
  const rows = [0, 1, 2, 3].map((i) =>
    record({ offsetMs: i * 60_000, version: i < 3 ? "a" : "b", proba: 0.1, reject: i === 0 }, i)
  );
  await t.store.append({ rows });
  const versions = await t.store.rollups.versions();
  assert.deepEqual(versions.map((v) => [v.modelVersion, v.n]), [["b", 1], ["a", 3]]);
  const series = await t.store.rollups.series({ bucketMinutes: 2, modelVersion: "a" });
  assert.deepEqual(series.map((b) => [b.minute - minuteOf(T0), b.n, b.rejects]), [[0, 2, 1], [
    2,
    1,
    0,
  ]]);
});
