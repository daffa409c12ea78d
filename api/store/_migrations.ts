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
export const SHARED_MIGRATIONS: readonly Migration[] = [];
