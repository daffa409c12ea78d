/**
 * `drift_reports` (schema migration 2): drift reports computed by the site's
 * "recompute" button, kept in the audit database so the latest one survives
 * restarts wherever the database lives. The table is pruned to the most
 * recent {@link KEEP_DRIFT_REPORTS} reports.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { inTransaction } from "./sql.ts";

/** How many reports are kept. */
export const KEEP_DRIFT_REPORTS = 50;

/** A stored report. */
export interface StoredDriftReport {
  id: number;
  /** ISO 8601 time the report was computed. */
  generated_at: string;
  /** Who computed it, e.g. `site`. */
  source: string;
  /** The report, as JSON text. */
  report_json: string;
}

/** Stores a report and prunes old ones, in one transaction; returns its id. */
export function saveDriftReport(
  db: DatabaseSync,
  report: Omit<StoredDriftReport, "id">,
): number {
  return inTransaction(db, () => {
    const { lastInsertRowid } = db.prepare(
      "INSERT INTO drift_reports (generated_at, source, report_json) VALUES (?, ?, ?)",
    ).run(report.generated_at, report.source, report.report_json);
    db.prepare("DELETE FROM drift_reports WHERE id <= ?").run(
      Number(lastInsertRowid) - KEEP_DRIFT_REPORTS,
    );
    return Number(lastInsertRowid);
  });
}

/** The most recently stored report, if any. */
export function latestDriftReport(db: DatabaseSync): StoredDriftReport | undefined {
  return db.prepare(
    "SELECT id, generated_at, source, report_json FROM drift_reports ORDER BY id DESC LIMIT 1",
  ).get() as StoredDriftReport | undefined;
}
