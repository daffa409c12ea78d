/**
 * Same rows, same report: the drift report and its model-performance section
 * computed over the same logged traffic (with outcomes fed back) are equal
 * whether the log lives in SQLite or in PostgreSQL — the store streams the
 * same rows in the same order, labels join the same way.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  createTempStore,
  createTestSchema,
  POSTGRES_SKIP,
  schemaUrl,
} from "../api/testing/temp_store.ts";
import { openStore, type Store } from "../api/store/mod.ts";
import { simulateTraffic } from "../scripts/simulate.ts";
import { computeDrift, loadDriftReference } from "./run_drift.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** 3,000 predictions over two days, the second drifted, 40 % with outcomes (10 % flipped). */
async function fill(target: string): Promise<void> {
  await simulateTraffic({
    n: 3000,
    dbPath: target,
    artifactsDir: join(ROOT, "artifacts"),
    sourcePath: join(ROOT, "data/credit_data/test.csv"),
    seed: 11,
    startMs: Date.parse("2025-06-01T00:00:00Z"),
    spreadHours: 48,
    drift: [{ kind: "scale", feature: "Income", factor: 1.6 }],
    outcomes: 0.4,
    labelNoise: 0.1,
    batchSize: 700,
  });
}

Deno.test({
  name: "the drift report and its performance section are the same on SQLite and PostgreSQL",
  ignore: POSTGRES_SKIP !== undefined,
  async fn() {
    const { meta, profile } = await loadDriftReference({
      artifactsDir: join(ROOT, "artifacts"),
      referencePath: join(ROOT, "artifacts/reference_sample.csv"),
    });
    const { schema, drop } = await createTestSchema();
    await using sqlite = await createTempStore();
    let postgres: Store | undefined;
    try {
      await fill(sqlite.path);
      await fill(schemaUrl(schema));
      postgres = await openStore(schemaUrl(schema), { readOnly: true });
      const now = () => new Date("2025-06-05T00:00:00.000Z");
      for (
        const query of [{}, { limit: 1000 }, {
          since: "2025-06-02T00:00:00.000Z",
          until: "2025-06-02T12:00:00.000Z",
        }]
      ) {
        const onSqlite = await computeDrift(sqlite.store, profile, { query, now, meta });
        const onPostgres = await computeDrift(postgres, profile, { query, now, meta });
        deepEqual(onPostgres, onSqlite, JSON.stringify(query));
        ok(onSqlite.performance!.n_labelled > 100, "the performance section has labels to compare");
      }
      equal(await postgres.predictions.count(), 3000);
    } finally {
      await postgres?.close();
      await drop();
    }
  },
});
