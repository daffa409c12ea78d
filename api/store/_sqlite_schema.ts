/**
 * The SQLite audit-log schema and its forward migrations, versioned with
 * `PRAGMA user_version`. A migration is never edited once released: a change
 * is a new entry appended to {@link MIGRATIONS}. PostgreSQL starts at the
 * schema of version 5 (`_postgres_schema.ts`) and follows the same versions
 * from there.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { BASELINE_VERSION, SHARED_MIGRATIONS } from "./_migrations.ts";
import { SQLITE } from "./_sql.ts";

/**
 * SQLite's history up to the baseline; entry `i` moves the schema from
 * version `i` to `i + 1`. Later versions are the shared migrations.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE predictions (
     id            INTEGER PRIMARY KEY,
     ts_utc        TEXT    NOT NULL,
     request_id    TEXT    NOT NULL,
     model_version TEXT    NOT NULL,
     proba_default REAL    NOT NULL,
     threshold     REAL    NOT NULL,
     decision      TEXT    NOT NULL CHECK (decision IN ('approve', 'reject')),
     latency_ms    REAL    NOT NULL,
     input_json    TEXT    NOT NULL
   );
   CREATE INDEX predictions_ts ON predictions (ts_utc);
   CREATE INDEX predictions_request_id ON predictions (request_id);
   CREATE TABLE health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), ts_utc TEXT NOT NULL);`,
  // 2: monitoring rollups (site, request statistics) and stored drift reports.
  // prediction_minutes is maintained by a trigger inside the audit log's own
  // transactions (so it can never disagree with `predictions`) and backfilled
  // from existing rows. Minute = unixepoch(ts_utc) / 60 (integer), 0 for an
  // unparseable ts_utc. Score bin k counts proba_default in [k/20, (k+1)/20)
  // (bin 0 open below, bin 19 closed above): see api/store/histograms.ts.
  `CREATE TABLE prediction_minutes (
     minute         INTEGER NOT NULL,
     model_version  TEXT    NOT NULL,
     n              INTEGER NOT NULL,
     rejects        INTEGER NOT NULL,
     sum_proba      REAL    NOT NULL,
     sum_latency_ms REAL    NOT NULL,
     min_id         INTEGER NOT NULL,
     max_id         INTEGER NOT NULL,
     s00 INTEGER NOT NULL DEFAULT 0,
     s01 INTEGER NOT NULL DEFAULT 0,
     s02 INTEGER NOT NULL DEFAULT 0,
     s03 INTEGER NOT NULL DEFAULT 0,
     s04 INTEGER NOT NULL DEFAULT 0,
     s05 INTEGER NOT NULL DEFAULT 0,
     s06 INTEGER NOT NULL DEFAULT 0,
     s07 INTEGER NOT NULL DEFAULT 0,
     s08 INTEGER NOT NULL DEFAULT 0,
     s09 INTEGER NOT NULL DEFAULT 0,
     s10 INTEGER NOT NULL DEFAULT 0,
     s11 INTEGER NOT NULL DEFAULT 0,
     s12 INTEGER NOT NULL DEFAULT 0,
     s13 INTEGER NOT NULL DEFAULT 0,
     s14 INTEGER NOT NULL DEFAULT 0,
     s15 INTEGER NOT NULL DEFAULT 0,
     s16 INTEGER NOT NULL DEFAULT 0,
     s17 INTEGER NOT NULL DEFAULT 0,
     s18 INTEGER NOT NULL DEFAULT 0,
     s19 INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (minute, model_version)
   ) WITHOUT ROWID;
   CREATE TRIGGER predictions_minute_rollup AFTER INSERT ON predictions BEGIN
     INSERT INTO prediction_minutes (minute, model_version, n, rejects, sum_proba, sum_latency_ms,
       min_id, max_id, s00, s01, s02, s03, s04, s05, s06, s07, s08, s09,
       s10, s11, s12, s13, s14, s15, s16, s17, s18, s19)
     VALUES (
       coalesce(unixepoch(NEW.ts_utc) / 60, 0), NEW.model_version, 1, NEW.decision = 'reject',
       NEW.proba_default, NEW.latency_ms, NEW.id, NEW.id,
       NEW.proba_default < 0.05,
       NEW.proba_default >= 0.05 AND NEW.proba_default < 0.10,
       NEW.proba_default >= 0.10 AND NEW.proba_default < 0.15,
       NEW.proba_default >= 0.15 AND NEW.proba_default < 0.20,
       NEW.proba_default >= 0.20 AND NEW.proba_default < 0.25,
       NEW.proba_default >= 0.25 AND NEW.proba_default < 0.30,
       NEW.proba_default >= 0.30 AND NEW.proba_default < 0.35,
       NEW.proba_default >= 0.35 AND NEW.proba_default < 0.40,
       NEW.proba_default >= 0.40 AND NEW.proba_default < 0.45,
       NEW.proba_default >= 0.45 AND NEW.proba_default < 0.50,
       NEW.proba_default >= 0.50 AND NEW.proba_default < 0.55,
       NEW.proba_default >= 0.55 AND NEW.proba_default < 0.60,
       NEW.proba_default >= 0.60 AND NEW.proba_default < 0.65,
       NEW.proba_default >= 0.65 AND NEW.proba_default < 0.70,
       NEW.proba_default >= 0.70 AND NEW.proba_default < 0.75,
       NEW.proba_default >= 0.75 AND NEW.proba_default < 0.80,
       NEW.proba_default >= 0.80 AND NEW.proba_default < 0.85,
       NEW.proba_default >= 0.85 AND NEW.proba_default < 0.90,
       NEW.proba_default >= 0.90 AND NEW.proba_default < 0.95,
       NEW.proba_default >= 0.95
     )
     ON CONFLICT (minute, model_version) DO UPDATE SET
       n = n + 1,
       rejects = rejects + excluded.rejects,
       sum_proba = sum_proba + excluded.sum_proba,
       sum_latency_ms = sum_latency_ms + excluded.sum_latency_ms,
       min_id = min(min_id, excluded.min_id),
       max_id = max(max_id, excluded.max_id),
       s00 = s00 + excluded.s00,
       s01 = s01 + excluded.s01,
       s02 = s02 + excluded.s02,
       s03 = s03 + excluded.s03,
       s04 = s04 + excluded.s04,
       s05 = s05 + excluded.s05,
       s06 = s06 + excluded.s06,
       s07 = s07 + excluded.s07,
       s08 = s08 + excluded.s08,
       s09 = s09 + excluded.s09,
       s10 = s10 + excluded.s10,
       s11 = s11 + excluded.s11,
       s12 = s12 + excluded.s12,
       s13 = s13 + excluded.s13,
       s14 = s14 + excluded.s14,
       s15 = s15 + excluded.s15,
       s16 = s16 + excluded.s16,
       s17 = s17 + excluded.s17,
       s18 = s18 + excluded.s18,
       s19 = s19 + excluded.s19;
   END;
   INSERT INTO prediction_minutes (minute, model_version, n, rejects, sum_proba, sum_latency_ms,
     min_id, max_id, s00, s01, s02, s03, s04, s05, s06, s07, s08, s09,
     s10, s11, s12, s13, s14, s15, s16, s17, s18, s19)
   SELECT coalesce(unixepoch(ts_utc) / 60, 0), model_version, count(*), sum(decision = 'reject'),
     sum(proba_default), sum(latency_ms), min(id), max(id),
     sum(proba_default < 0.05),
     sum(proba_default >= 0.05 AND proba_default < 0.10),
     sum(proba_default >= 0.10 AND proba_default < 0.15),
     sum(proba_default >= 0.15 AND proba_default < 0.20),
     sum(proba_default >= 0.20 AND proba_default < 0.25),
     sum(proba_default >= 0.25 AND proba_default < 0.30),
     sum(proba_default >= 0.30 AND proba_default < 0.35),
     sum(proba_default >= 0.35 AND proba_default < 0.40),
     sum(proba_default >= 0.40 AND proba_default < 0.45),
     sum(proba_default >= 0.45 AND proba_default < 0.50),
     sum(proba_default >= 0.50 AND proba_default < 0.55),
     sum(proba_default >= 0.55 AND proba_default < 0.60),
     sum(proba_default >= 0.60 AND proba_default < 0.65),
     sum(proba_default >= 0.65 AND proba_default < 0.70),
     sum(proba_default >= 0.70 AND proba_default < 0.75),
     sum(proba_default >= 0.75 AND proba_default < 0.80),
     sum(proba_default >= 0.80 AND proba_default < 0.85),
     sum(proba_default >= 0.85 AND proba_default < 0.90),
     sum(proba_default >= 0.90 AND proba_default < 0.95),
     sum(proba_default >= 0.95)
   FROM predictions GROUP BY 1, 2;
   CREATE TABLE request_minutes (
     minute       INTEGER NOT NULL,
     route        TEXT    NOT NULL,
     status_class INTEGER NOT NULL,
     n            INTEGER NOT NULL,
     sum_ms       REAL    NOT NULL,
     max_ms       REAL    NOT NULL,
     l00 INTEGER NOT NULL DEFAULT 0,
     l01 INTEGER NOT NULL DEFAULT 0,
     l02 INTEGER NOT NULL DEFAULT 0,
     l03 INTEGER NOT NULL DEFAULT 0,
     l04 INTEGER NOT NULL DEFAULT 0,
     l05 INTEGER NOT NULL DEFAULT 0,
     l06 INTEGER NOT NULL DEFAULT 0,
     l07 INTEGER NOT NULL DEFAULT 0,
     l08 INTEGER NOT NULL DEFAULT 0,
     l09 INTEGER NOT NULL DEFAULT 0,
     l10 INTEGER NOT NULL DEFAULT 0,
     l11 INTEGER NOT NULL DEFAULT 0,
     l12 INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (minute, route, status_class)
   ) WITHOUT ROWID;
   CREATE TABLE drift_reports (
     id           INTEGER PRIMARY KEY,
     generated_at TEXT    NOT NULL,
     source       TEXT    NOT NULL,
     report_json  TEXT    NOT NULL
   );`,
  // 3: reason codes stored with their prediction (null when not requested) and
  // realised outcomes fed back by lenders, one per request id (batch items
  // have their own ids). Outcomes reference predictions by request id; the
  // API refuses an outcome for an unknown id.
  `ALTER TABLE predictions ADD COLUMN reasons_json TEXT;
   CREATE TABLE outcomes (
     request_id  TEXT PRIMARY KEY,
     outcome     TEXT NOT NULL CHECK (outcome IN ('default', 'repaid')),
     observed_at TEXT NOT NULL,
     recorded_at TEXT NOT NULL
   ) WITHOUT ROWID;`,
  // 4: the per-minute rollup is maintained by the inserter (one upsert per
  // minute × version per commit, api/store/_rollups.ts) instead of a
  // trigger firing per row; same table, same numbers, a fraction of the cost.
  `DROP TRIGGER predictions_minute_rollup;`,
  // 5: the seed's scoring contract and per-client request ids.
  // - `decision` is 0/1 (1 = predicted default, reject), as clients of the
  //   seed design read it (`WHERE decision = 1`, `SUM(decision)`).
  // - `client_id`: the id of the API key that scored the row ('' in open
  //   mode); a request id is unique per client, and outcomes belong to the
  //   client's prediction. Rows logged before this version could repeat a
  //   request id (the bug this fixes): the earliest keeps it, later ones are
  //   set apart under client 'legacy-duplicate-<row id>' so no outcome joins
  //   them twice; no row is dropped.
  // - `shadow_predictions`: the scores of shadow (challenger) models for a
  //   logged prediction, written in the same transaction, never answered.
  `CREATE TABLE predictions_v5 (
     id            INTEGER PRIMARY KEY,
     ts_utc        TEXT    NOT NULL,
     client_id     TEXT    NOT NULL DEFAULT '',
     request_id    TEXT    NOT NULL,
     model_version TEXT    NOT NULL,
     proba_default REAL    NOT NULL,
     threshold     REAL    NOT NULL,
     decision      INTEGER NOT NULL CHECK (decision IN (0, 1)),
     latency_ms    REAL    NOT NULL,
     input_json    TEXT    NOT NULL,
     reasons_json  TEXT
   );
   INSERT INTO predictions_v5 (id, ts_utc, client_id, request_id, model_version, proba_default,
     threshold, decision, latency_ms, input_json, reasons_json)
   SELECT p.id, p.ts_utc,
     CASE WHEN p.id = (SELECT min(q.id) FROM predictions q WHERE q.request_id = p.request_id)
          THEN '' ELSE 'legacy-duplicate-' || p.id END,
     p.request_id, p.model_version, p.proba_default, p.threshold, p.decision = 'reject',
     p.latency_ms, p.input_json, p.reasons_json
   FROM predictions p ORDER BY p.id;
   DROP TABLE predictions;
   ALTER TABLE predictions_v5 RENAME TO predictions;
   CREATE INDEX predictions_ts ON predictions (ts_utc);
   CREATE UNIQUE INDEX predictions_request_id ON predictions (request_id, client_id);
   CREATE TABLE outcomes_v5 (
     request_id  TEXT NOT NULL,
     client_id   TEXT NOT NULL DEFAULT '',
     outcome     TEXT NOT NULL CHECK (outcome IN ('default', 'repaid')),
     observed_at TEXT NOT NULL,
     recorded_at TEXT NOT NULL,
     PRIMARY KEY (request_id, client_id)
   ) WITHOUT ROWID;
   INSERT INTO outcomes_v5 (request_id, client_id, outcome, observed_at, recorded_at)
   SELECT request_id, '', outcome, observed_at, recorded_at FROM outcomes;
   DROP TABLE outcomes;
   ALTER TABLE outcomes_v5 RENAME TO outcomes;
   CREATE TABLE shadow_predictions (
     id            INTEGER PRIMARY KEY,
     prediction_id INTEGER NOT NULL,
     model_version TEXT    NOT NULL,
     proba_default REAL    NOT NULL,
     threshold     REAL    NOT NULL,
     decision      INTEGER NOT NULL CHECK (decision IN (0, 1)),
     reasons_json  TEXT
   );
   CREATE INDEX shadow_predictions_prediction ON shadow_predictions (prediction_id);
   CREATE INDEX shadow_predictions_version ON shadow_predictions (model_version, prediction_id);`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = BASELINE_VERSION + SHARED_MIGRATIONS.length;

/** Current `user_version` of a SQLite database. */
export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  return row.user_version;
}

/**
 * Applies every pending migration, each in its own transaction. Refuses a
 * database written by a newer version of the code.
 */
export function migrate(db: DatabaseSync): { from: number; to: number } {
  const from = schemaVersion(db);
  if (from > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${from} is newer than this code (${SCHEMA_VERSION}): upgrade Scorewatch`,
    );
  }
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(
        v < BASELINE_VERSION ? MIGRATIONS[v] : SHARED_MIGRATIONS[v - BASELINE_VERSION].sql(SQLITE),
      );
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw new Error(`migration to schema version ${v + 1} failed: ${(err as Error).message}`);
    }
  }
  return { from, to: SCHEMA_VERSION };
}
