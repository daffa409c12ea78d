/**
 * Schema changes after version 5, written once for both backends: each is a
 * function of the {@link Dialect}. SQLite reaches version 5 through its own
 * history (`_sqlite_schema.ts`), PostgreSQL through its baseline
 * (`_postgres_schema.ts`); from there both apply this list, in order, each
 * migration in its own transaction. A released migration is never edited:
 * a change is a new entry.
 *
 * @module
 */
import type { Dialect } from "./_sql.ts";

/** The schema version both backends' baselines reach. */
export const BASELINE_VERSION = 5;

/** One schema change: moves the schema from `version - 1` to `version`. */
export interface Migration {
  version: number;
  /** What it does, for the migration log and error messages. */
  name: string;
  /** Its statements (several allowed, separated by `;`). */
  sql(dialect: Dialect): string;
}

/** Migrations after the baseline, versions 6, 7, … in order. */
export const SHARED_MIGRATIONS: readonly Migration[] = [
  {
    version: 6,
    name: "monitoring automation: drift history, leases, alert state, webhook deliveries",
    // Portable DDL only (standard types through the dialect, ON CONFLICT in
    // the queries): the PostgreSQL backend applies the same text.
    sql: (d) =>
      `CREATE TABLE drift_history (
         ${d.idColumn},
         generated_at    ${d.text} NOT NULL,
         window_start    ${d.text},
         window_end      ${d.text},
         n_rows          INTEGER NOT NULL,
         last_prediction_id BIGINT NOT NULL,
         overall_verdict ${d.text} NOT NULL,
         source          ${d.text} NOT NULL,
         summary_json    ${d.text} NOT NULL
       );
       CREATE INDEX drift_history_generated ON drift_history (generated_at);
       CREATE TABLE monitor_leases (
         name       ${d.text} PRIMARY KEY,
         holder     ${d.text} NOT NULL,
         expires_at ${d.text} NOT NULL
       );
       CREATE TABLE alert_state (
         alert_key        ${d.text} PRIMARY KEY,
         kind             ${d.text} NOT NULL,
         feature          ${d.text},
         severity         ${d.text} NOT NULL,
         message          ${d.text} NOT NULL,
         first_seen       ${d.text} NOT NULL,
         last_seen        ${d.text} NOT NULL,
         resolved_at      ${d.text},
         fired_sent_at    ${d.text},
         resolved_sent_at ${d.text}
       );
       CREATE TABLE alert_deliveries (
         ${d.idColumn},
         ts_utc    ${d.text} NOT NULL,
         alert_key ${d.text} NOT NULL,
         event     ${d.text} NOT NULL,
         target    ${d.text} NOT NULL,
         attempt   INTEGER NOT NULL,
         status    INTEGER,
         ok        INTEGER NOT NULL,
         error     ${d.text},
         sender    ${d.text} NOT NULL
       );
       CREATE INDEX alert_deliveries_ts ON alert_deliveries (ts_utc);`,
  },
  {
    version: 7,
    name: "model lifecycle: champion, previous champion and shadows; the audit of every change",
    // One state row (id 1), changed by compare-and-set on `revision` (the
    // cheap poll of every replica reads it); every change also adds one
    // `model_changes` row, in the same transaction.
    sql: (d) =>
      `CREATE TABLE model_state (
         id           INTEGER PRIMARY KEY,
         revision     ${d.integer} NOT NULL,
         champion     ${d.text} NOT NULL,
         previous     ${d.text},
         shadows_json ${d.text} NOT NULL,
         updated_at   ${d.text} NOT NULL
       );
       CREATE TABLE model_changes (
         ${d.idColumn},
         at           ${d.text} NOT NULL,
         key_id       ${d.text} NOT NULL,
         action       ${d.text} NOT NULL,
         from_version ${d.text},
         to_version   ${d.text},
         reason       ${d.text} NOT NULL
       );
       CREATE INDEX model_changes_at ON model_changes (at);`,
  },
];
