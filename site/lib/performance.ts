/**
 * Model performance for the site: the window's report (realised metrics on
 * predictions with fed-back outcomes, CBPE estimates on all of them, the
 * training metrics and the AUC-drop alert, from `monitoring/run_performance.ts`),
 * the reliability chart of its calibration bins, and a short-lived cache so
 * the overview's alert list does not rerun the query on every view.
 *
 * @module
 */
import type { ModelMeta } from "../../api/scoring/model_meta.ts";
import type { Store } from "../../api/store/mod.ts";
import type { CalibrationBin, PerformanceReport } from "../../monitoring/performance.ts";
import { computePerformance } from "../../monitoring/run_performance.ts";
import type { BarChartSpec } from "../shared/types.ts";
import type { AlertInputs } from "./alerts.ts";

/** Reads performance reports of windows. */
export interface PerformanceReader {
  /** Most recent predictions of a window a report reads. */
  readonly maxRows: number;
  /** Computes the report of the window starting at `since` now (and caches it under `key`). */
  fresh(key: string, since: string | undefined): Promise<PerformanceReport>;
  /** The cached report of `key` if younger than the cache lifetime, else a fresh one. */
  cached(key: string, since: string | undefined): Promise<PerformanceReport>;
}

/** Options for {@link createPerformanceReader}. */
export interface PerformanceReaderOptions {
  /** Most recent predictions of a window a report reads. */
  maxRows: number;
  /** Cache lifetime, ms. Default 60 s. */
  ttlMs?: number;
  /** Monotonic clock, ms. Default `performance.now()`. */
  clock?: () => number;
}

/** A reader over the audit store; each report reads the window's `maxRows` most recent rows. */
export function createPerformanceReader(
  store: Pick<Store, "outcomes">,
  meta: Pick<ModelMeta, "cost_matrix" | "metrics">,
  options: PerformanceReaderOptions,
): PerformanceReader {
  const ttl = options.ttlMs ?? 60_000;
  const clock = options.clock ?? (() => performance.now());
  const cache = new Map<string, { at: number; report: Promise<PerformanceReport> }>();
  const fresh = (key: string, since: string | undefined) => {
    const report = computePerformance(store, meta, { since, limit: options.maxRows });
    cache.set(key, { at: clock(), report });
    report.catch(() => cache.delete(key));
    return report;
  };
  return {
    maxRows: options.maxRows,
    fresh,
    cached(key, since) {
      const hit = cache.get(key);
      return hit && clock() - hit.at < ttl ? hit.report : fresh(key, since);
    },
  };
}

const bound = (x: number) => x.toFixed(1);

/** Label of a calibration bin, e.g. `0.1–0.2`. */
export function binLabel(bin: Pick<CalibrationBin, "lower" | "upper">): string {
  return `${bound(bin.lower)}–${bound(bin.upper)}`;
}

/**
 * The reliability chart: per score bin, the mean predicted probability next
 * to the observed default rate (equal bars = calibrated). Empty bins are 0.
 */
export function reliabilitySpec(bins: readonly CalibrationBin[]): BarChartSpec {
  return {
    id: "chart-reliability",
    title: "Reliability: mean predicted probability vs observed default rate, per score bin",
    unit: "share",
    labels: bins.map(binLabel),
    series: [
      {
        label: "Mean predicted",
        values: bins.map((b) => b.mean_predicted ?? 0),
        color: "#8c959f",
      },
      {
        label: "Observed default rate",
        values: bins.map((b) => b.observed_rate ?? 0),
        color: "#0969da",
      },
    ],
  };
}

/** The performance facts the overview's alerts use. */
export function performanceAlertInputs(
  report: PerformanceReport,
): NonNullable<AlertInputs["performance"]> {
  return report.alerts.map((a) => ({ severity: a.severity, message: a.message }));
}
