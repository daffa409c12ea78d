/**
 * Model performance over a window of the audit log: the predictions (with
 * their fed-back outcomes) read from the store, evaluated by the pure
 * `performance.ts`. Shared by the drift report, the site and /metrics.
 *
 * @module
 */
import type { ModelMeta } from "../api/scoring/model_meta.ts";
import type { Store } from "../api/store/mod.ts";
import type { Alert } from "./alerts.ts";
import { evaluateWindow, type PerformanceReport } from "./performance.ts";

/** Most predictions of a window read for the estimates (the most recent ones), and the cap. */
export const DEFAULT_PERFORMANCE_ROWS = 100_000;
/** How many times `limit` recent predictions are searched for outcomes. */
export const LABEL_SCAN_FACTOR = 10;

/** Options for {@link computePerformance}. */
export interface ComputePerformanceOptions {
  since?: string;
  until?: string;
  /**
   * Most rows read, for the estimates and for the realised metrics each;
   * default and maximum {@link DEFAULT_PERFORMANCE_ROWS}. Outcomes are looked for among
   * `limit × LABEL_SCAN_FACTOR` recent predictions, since they arrive late.
   */
  limit?: number;
  maxAucDrop?: number;
  minLabelled?: number;
  /** Only the rows this version scored, answered or in the shadow (see `PredictionQuery`). */
  modelVersion?: string;
}

/**
 * Performance of a window: realised metrics on its most recent labelled
 * predictions, estimates on its most recent predictions.
 */
export async function computePerformance(
  store: Pick<Store, "outcomes">,
  meta: Pick<ModelMeta, "cost_matrix" | "metrics">,
  options: ComputePerformanceOptions = {},
): Promise<PerformanceReport> {
  const window = { since: options.since, until: options.until, modelVersion: options.modelVersion };
  // Capped: the rows are held in memory (a drift run over 1,000,000 rows asks for all of them).
  const limit = Math.min(options.limit ?? DEFAULT_PERFORMANCE_ROWS, DEFAULT_PERFORMANCE_ROWS);
  const predictions = await store.outcomes.labelled({ ...window, limit });
  const labelled = await store.outcomes.labelledOnly({
    ...window,
    limit,
    scanRows: limit * LABEL_SCAN_FACTOR,
  });
  return evaluateWindow({ predictions, labelled }, {
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
