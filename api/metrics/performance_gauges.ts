/**
 * The model-performance gauges of /metrics, computed from the audit log at
 * most once per `ttlMs` (a scrape must not run a 100,000-row query each time).
 *
 * @module
 */
import type { ModelMeta } from "../scoring/model_meta.ts";
import type { Store } from "../store/mod.ts";
import type { PerformanceReport } from "../../monitoring/performance.ts";
import { computePerformance } from "../../monitoring/run_performance.ts";
import type { PerformanceGauges } from "./registry.ts";

/** The gauge values of a performance report. */
export function toGauges(report: PerformanceReport): PerformanceGauges {
  return {
    realisedRocAuc: report.realised?.roc_auc ?? null,
    labelled: report.n_labelled,
    realisedDefaultRate: report.realised?.default_rate ?? null,
    expectedDefaultRate: report.estimated?.expected_default_rate ?? null,
    aucAlert: report.alerts.length > 0,
  };
}

/** Options for {@link cachedPerformanceGauges}. */
export interface CachedPerformanceOptions {
  /** Recompute at most this often. Default 60 s. */
  ttlMs?: number;
  /** Clock, ms (tests pin it). */
  now?: () => number;
}

/** A reader of the gauges over the most recent predictions, cached for `ttlMs`. */
export function cachedPerformanceGauges(
  store: Pick<Store, "outcomes">,
  meta: Pick<ModelMeta, "cost_matrix" | "metrics">,
  options: CachedPerformanceOptions = {},
): () => Promise<PerformanceGauges | null> {
  const ttl = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  let cached: { at: number; value: Promise<PerformanceGauges | null> } | undefined;
  return () => {
    if (cached && now() - cached.at < ttl) return cached.value;
    // A busy or closing database: skip these gauges this scrape.
    const value = computePerformance(store, meta).then(toGauges, () => null);
    cached = { at: now(), value };
    return value;
  };
}
