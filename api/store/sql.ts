/**
 * Two SQLite idioms every store module uses: a write transaction that either
 * commits or rolls back, and a WHERE clause built from optional conditions.
 *
 * @module
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";

/**
 * Runs `work` inside `BEGIN IMMEDIATE … COMMIT` (the write lock taken at the
 * start, so a busy database fails fast instead of mid-transaction) and
 * returns its result; on any error rolls back and rethrows.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const out = work();
    db.exec("COMMIT");
    return out;
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw err;
  }
}

/** A condition and its parameters; conditions whose value is undefined are left out. */
export type Condition = [sql: string, ...params: (SQLInputValue | undefined)[]];

/** `WHERE a AND b …` (or "") and the parameters of the conditions that apply. */
export function where(...conditions: Condition[]): { sql: string; params: SQLInputValue[] } {
  const parts: string[] = [];
  const params: SQLInputValue[] = [];
  for (const [sql, ...values] of conditions) {
    if (values.some((v) => v === undefined)) continue;
    parts.push(sql);
    params.push(...(values as SQLInputValue[]));
  }
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}
