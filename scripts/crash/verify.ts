/**
 * After the crashes: is every acknowledged prediction in the audit log, once,
 * and is the database file sound?
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/** What the database says. */
export interface Verification {
  /** `PRAGMA integrity_check`: "ok", or the problems found. */
  integrity: string;
  /** Acknowledged ids found in the log. */
  found: number;
  /** Acknowledged ids missing from the log (must be none). */
  lost: string[];
  /** Request ids logged more than once (must be none: every id is sent once). */
  duplicates: number;
  /** Rows logged whose answer never reached the client (in flight at a kill): allowed. */
  loggedNotAcknowledged: number;
}

/** Checks `acknowledged` against the log at `dbPath` (opened after the service stopped). */
export function verifyLog(
  dbPath: string,
  acknowledged: readonly string[],
  idPrefix: string,
): Verification {
  const db = new DatabaseSync(dbPath);
  try {
    const integrity = (db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[])
      .map((r) => r.integrity_check).join("; ");
    const counts = new Map<string, number>();
    // Ids starting with the prefix: `<prefix>` ≤ id < `<prefix>` + U+FFFF.
    const rows = db.prepare(
      "SELECT request_id, COUNT(*) AS n FROM predictions WHERE request_id >= ? AND request_id < ? " +
        "GROUP BY request_id",
    ).iterate(idPrefix, `${idPrefix}\uffff`) as Iterable<{ request_id: string; n: number }>;
    for (const r of rows) counts.set(r.request_id, r.n);
    const lost = acknowledged.filter((id) => !counts.has(id));
    const acked = new Set(acknowledged);
    return {
      integrity,
      found: acknowledged.length - lost.length,
      lost,
      duplicates: [...counts.values()].filter((n) => n > 1).length,
      loggedNotAcknowledged: [...counts.keys()].filter((id) => !acked.has(id)).length,
    };
  } finally {
    db.close();
  }
}
