/**
 * The audit-log schema and its forward migrations, versioned with
 * `PRAGMA user_version`. A migration is never edited once released: a change
 * is a new entry appended to {@link MIGRATIONS}.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

/** Forward migrations; entry `i` moves the schema from version `i` to `i + 1`. */
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
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Current `user_version` of a database. */
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
      db.exec(MIGRATIONS[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw new Error(`migration to schema version ${v + 1} failed: ${(err as Error).message}`);
    }
  }
  return { from, to: SCHEMA_VERSION };
}
