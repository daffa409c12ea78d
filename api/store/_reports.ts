/**
 * `drift_reports` (schema migration 2): drift reports computed by the site
 * or the scheduler, kept in the audit database so the latest one survives
 * restarts wherever the database lives. The table is pruned to the most
 * recent {@link KEEP_DRIFT_REPORTS} reports.
 *
 * @module
 */
import type { Sql } from "./_sql.ts";

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

/** Stored drift reports. */
export interface DriftReportStore {
  /** Stores a report and prunes old ones, in one transaction; resolves with its id. */
  save(report: Omit<StoredDriftReport, "id">): Promise<number>;
  /** The most recently stored report, if any. */
  latest(): Promise<StoredDriftReport | undefined>;
}

/** The drift report store over an executor. */
export function driftReportStore(sql: Sql): DriftReportStore {
  return {
    save(report) {
      return sql.transaction(async (tx) => {
        const row = await tx.get<{ id: number }>(
          `INSERT INTO drift_reports (generated_at, source, report_json) VALUES (?, ?, ?)
           RETURNING id`,
          [report.generated_at, report.source, report.report_json],
        );
        const id = Number(row!.id);
        await tx.run("DELETE FROM drift_reports WHERE id <= ?", [id - KEEP_DRIFT_REPORTS]);
        return id;
      });
    },
    async latest() {
      const row = await sql.get<StoredDriftReport>(
        "SELECT id, generated_at, source, report_json FROM drift_reports ORDER BY id DESC LIMIT 1",
      );
      return row && { ...row, id: Number(row.id) };
    },
  };
}
