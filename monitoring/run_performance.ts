/**
 * Model performance over a window of the audit log: the predictions (with
 * their fed-back outcomes) read with SQL, evaluated by the pure
 * `performance.ts`. Shared by the drift report, the site and /metrics.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { ModelMeta } from "../api/scoring/model_meta.ts";
import { labelledPredictions } from "../api/store/outcomes.ts";
import type { Alert } from "./alerts.ts";
import { evaluatePerformance, type PerformanceReport } from "./performance.ts";

/** Most predictions of a window read for performance (the most recent ones). */
export const DEFAULT_PERFORMANCE_ROWS = 100_000;

/** Options for {@link computePerformance}. */
export interface ComputePerformanceOptions {
  since?: string;
  until?: string;
  /** The most recent rows of the window; default {@link DEFAULT_PERFORMANCE_ROWS}. */
  limit?: number;
  maxAucDrop?: number;
  minLabelled?: number;
}

/** Realised (labelled rows) and estimated (all rows) performance of a window. */
export function computePerformance(
  db: DatabaseSync,
  meta: Pick<ModelMeta, "cost_matrix" | "metrics">,
  options: ComputePerformanceOptions = {},
): PerformanceReport {
  const rows = labelledPredictions(db, {
    since: options.since,
    until: options.until,
    limit: options.limit ?? DEFAULT_PERFORMANCE_ROWS,
  });
  return evaluatePerformance(rows, {
    costs: meta.cost_matrix,
    reference: meta.metrics.test,
    maxAucDrop: options.maxAucDrop,
    minLabelled: options.minLabelled,
  });
}

/** The performance alerts in the drift report's alert shape. */
export function performanceAlerts(report: PerformanceReport): Alert[] {
  return report.alerts.map((a) => ({ kind: "auc_drop", severity: a.severity, message: a.message }));
}
