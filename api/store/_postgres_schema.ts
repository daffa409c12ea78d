/**
 * The PostgreSQL audit-log schema: a baseline equal to SQLite's schema
 * version 5 (same tables, columns, keys and indexes; `_sqlite_schema.ts`
 * holds how SQLite got there), then the shared migrations of
 * `_migrations.ts` (versions 6, 7, …), applied generically.
 *
 * Versions are rows of `schema_migrations` (version, name, applied_at); the
 * schema's version is the largest. Every step — the baseline, then each
 * shared migration — runs in its own transaction that first takes a
 * transaction-level advisory lock on (database, schema) and re-reads the
 * version: replicas that start together queue on the lock, and each step
 * is applied exactly once (PostgreSQL's DDL is transactional, so a failed
 * step leaves nothing behind). The lock is released by the commit, or by
 * the server when a replica dies mid-migration.
 *
 * Type mapping from SQLite: `INTEGER` → `BIGINT` (SQLite integers are
 * 64-bit), `REAL` → `DOUBLE PRECISION`, `TEXT` → `TEXT COLLATE "C"`
 * (code-point order, as SQLite compares), `decision` → `SMALLINT`.
 *
 * @module
 */
import { BASELINE_VERSION, type Migration, SHARED_MIGRATIONS } from "./_migrations.ts";
import { POSTGRES } from "./_sql.ts";
import { LATENCY_COLUMNS, SCORE_BIN_COLUMNS } from "./histograms.ts";

const T = POSTGRES.text;
const F = POSTGRES.float;
const I = POSTGRES.integer;
const counts = (columns: readonly string[]) =>
  columns.map((c) => `${c} ${I} NOT NULL DEFAULT 0`).join(",\n     ");

/** The schema of SQLite version 5, in PostgreSQL. */
export const BASELINE = `
   CREATE TABLE predictions (
     ${POSTGRES.idColumn},
     ts_utc        ${T} NOT NULL,
     client_id     ${T} NOT NULL DEFAULT '',
     request_id    ${T} NOT NULL,
     model_version ${T} NOT NULL,
     proba_default ${F} NOT NULL,
     threshold     ${F} NOT NULL,
     decision      SMALLINT NOT NULL CHECK (decision IN (0, 1)),
     latency_ms    ${F} NOT NULL,
     input_json    ${T} NOT NULL,
     reasons_json  ${T}
   );
   CREATE INDEX predictions_ts ON predictions (ts_utc);
   CREATE UNIQUE INDEX predictions_request_id ON predictions (request_id, client_id);
   CREATE TABLE health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), ts_utc ${T} NOT NULL);
   CREATE TABLE prediction_minutes (
     minute         ${I} NOT NULL,
     model_version  ${T} NOT NULL,
     n              ${I} NOT NULL,
     rejects        ${I} NOT NULL,
     sum_proba      ${F} NOT NULL,
     sum_latency_ms ${F} NOT NULL,
     min_id         ${I} NOT NULL,
     max_id         ${I} NOT NULL,
     ${counts(SCORE_BIN_COLUMNS)},
     PRIMARY KEY (minute, model_version)
   );
   CREATE TABLE request_minutes (
     minute       ${I} NOT NULL,
     route        ${T} NOT NULL,
     status_class ${I} NOT NULL,
     n            ${I} NOT NULL,
     sum_ms       ${F} NOT NULL,
     max_ms       ${F} NOT NULL,
     ${counts(LATENCY_COLUMNS)},
     PRIMARY KEY (minute, route, status_class)
   );
   CREATE TABLE drift_reports (
     ${POSTGRES.idColumn},
     generated_at ${T} NOT NULL,
     source       ${T} NOT NULL,
     report_json  ${T} NOT NULL
   );
   CREATE TABLE outcomes (
     request_id  ${T} NOT NULL,
     client_id   ${T} NOT NULL DEFAULT '',
     outcome     ${T} NOT NULL CHECK (outcome IN ('default', 'repaid')),
     observed_at ${T} NOT NULL,
     recorded_at ${T} NOT NULL,
     PRIMARY KEY (request_id, client_id)
   );
   CREATE TABLE shadow_predictions (
     ${POSTGRES.idColumn},
     prediction_id ${I} NOT NULL,
     model_version ${T} NOT NULL,
     proba_default ${F} NOT NULL,
     threshold     ${F} NOT NULL,
     decision      SMALLINT NOT NULL CHECK (decision IN (0, 1)),
     reasons_json  ${T}
   );
   CREATE INDEX shadow_predictions_prediction ON shadow_predictions (prediction_id);
   CREATE INDEX shadow_predictions_version ON shadow_predictions (model_version, prediction_id);`;

/** The schema version this code writes (the same number as SQLite's). */
export const SCHEMA_VERSION = BASELINE_VERSION + SHARED_MIGRATIONS.length;

/** What a migration step runs on: one statement (or several, `;`-separated, without parameters). */
export interface MigrationConnection {
  /** Runs `text` (several statements allowed when `params` is empty); resolves with its rows. */
  query<T>(text: string, params?: readonly (string | number)[]): Promise<T[]>;
  /** Runs `work` in one transaction. */
  transaction<T>(work: (tx: MigrationConnection) => Promise<T>): Promise<T>;
}

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

/** The advisory-lock key of the schema being migrated: one per database × schema. */
const LOCK = "SELECT pg_advisory_xact_lock(hashtext('scorewatch.migrate:' || " +
  "current_database() || '.' || coalesce(current_schema(), '')))";

/**
 * The schema's version: 0 when it holds no Scorewatch schema, throws when
 * the connection has no schema to work in.
 */
export async function schemaVersion(db: MigrationConnection): Promise<number> {
  const [where] = await db.query<{ schema: string | null; has: boolean }>(
    `SELECT current_schema() AS schema,
            to_regclass('schema_migrations') IS NOT NULL AS has`,
  );
  if (where.schema === null) {
    throw new Error("no schema to work in: the search_path names no existing schema");
  }
  if (!where.has) return 0;
  const [row] = await db.query<{ v: number | null }>(
    "SELECT max(version) AS v FROM schema_migrations",
  );
  return Number(row.v ?? 0);
}

/**
 * Brings the schema to {@link SCHEMA_VERSION} (the baseline, then every
 * shared migration, whatever they are), one step per transaction under the
 * advisory lock; safe when several replicas run it at once. Refuses a
 * schema written by newer code. `shared` is for tests.
 */
export async function migrate(
  db: MigrationConnection,
  shared: readonly Migration[] = SHARED_MIGRATIONS,
): Promise<{ from: number; to: number }> {
  const target = BASELINE_VERSION + shared.length;
  shared.forEach((m, i) => {
    if (m.version !== BASELINE_VERSION + 1 + i) {
      throw new Error(`shared migration #${i} (${m.name}) has version ${m.version}`);
    }
  });
  const from = await schemaVersion(db);
  if (from > target) {
    throw new Error(
      `database schema version ${from} is newer than this code (${target}): upgrade Scorewatch`,
    );
  }
  // Up to date: no write at all (a replica opening a read-only database still serves reads).
  if (from === target) return { from, to: target };
  for (;;) {
    const step = await db.transaction(async (tx) => {
      // Waiting for another replica's migration is expected: no lock timeout here.
      await tx.query("SET LOCAL lock_timeout = 0");
      await tx.query(LOCK);
      await tx.query(VERSION_TABLE);
      const version = await schemaVersion(tx);
      if (version >= target) return undefined;
      const next = version === 0 ? BASELINE_VERSION : version + 1;
      const migration = version === 0 ? undefined : shared[next - BASELINE_VERSION - 1];
      const name = migration?.name ?? "baseline (the schema of SQLite version 5)";
      try {
        await tx.query(migration ? migration.sql(POSTGRES) : BASELINE);
      } catch (err) {
        throw new Error(`migration to schema version ${next} failed: ${(err as Error).message}`);
      }
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [next, name]);
      return next;
    });
    if (step === undefined) return { from, to: target };
  }
}
