/**
 * The store's one seam between backends: an asynchronous SQL executor that
 * SQLite (`node:sqlite`, synchronous underneath) and PostgreSQL both
 * implement, so every query module is written once. Query text uses `?`
 * placeholders (a PostgreSQL executor numbers them); the few spellings that
 * differ between the two dialects come from {@link Dialect}.
 *
 * @module
 */

/** A value bound to a placeholder. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** The SQL spellings that differ between backends (queries, and the DDL of shared migrations). */
export interface Dialect {
  readonly name: "sqlite" | "postgres";
  /** Larger of two values (`max(a, b)` in SQLite, `greatest(a, b)` in PostgreSQL). */
  greatest(a: string, b: string): string;
  /** Smaller of two values. */
  least(a: string, b: string): string;
  /** DDL: an auto-numbered integer primary key column named `id`. */
  readonly idColumn: string;
  /** DDL: a 64-bit float column type. */
  readonly float: string;
  /** DDL: a text column type that compares by code point (ISO timestamps, request ids). */
  readonly text: string;
  /** DDL: what follows a table keyed by its primary key only (`WITHOUT ROWID` in SQLite). */
  readonly keyedTable: string;
}

/** SQLite's spellings. */
export const SQLITE: Dialect = {
  name: "sqlite",
  greatest: (a, b) => `max(${a}, ${b})`,
  least: (a, b) => `min(${a}, ${b})`,
  idColumn: "id INTEGER PRIMARY KEY",
  float: "REAL",
  text: "TEXT",
  keyedTable: "WITHOUT ROWID",
};

/** Runs statements on one backend. Numbers come back as JavaScript numbers on both. */
export interface Sql {
  readonly dialect: Dialect;
  /** Every row of a query. */
  all<T>(text: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row of a query, if any. */
  get<T>(text: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; resolves with the number of rows it changed. */
  run(text: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs `work` in one write transaction: committed when it resolves, rolled
   * back when it throws. SQLite: `work` may await only this executor (its
   * calls complete synchronously), so a transaction never spans an
   * event-loop turn of the request path.
   */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  /** Streams a query's rows in pages of `pageRows` (memory stays bounded). */
  pages<T>(text: string, params: readonly SqlValue[], pageRows: number): AsyncIterable<T[]>;
}

/** A condition and its parameters; a condition whose value is undefined is left out. */
export type Condition = [sql: string, ...params: (SqlValue | undefined)[]];

/** `WHERE a AND b …` (or "") and the parameters of the conditions that apply. */
export function where(...conditions: Condition[]): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const [sql, ...values] of conditions) {
    if (values.some((v) => v === undefined)) continue;
    parts.push(sql);
    params.push(...(values as SqlValue[]));
  }
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

/** `?, ?, …` for `n` parameters. */
export function placeholders(n: number): string {
  return new Array(n).fill("?").join(", ");
}
