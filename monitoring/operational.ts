/**
 * Operational alerts: the service itself rather than its data — the share of
 * server errors, the scoring latency's 95th percentile (from the request
 * statistics of the last interval) and a change of the serving model's
 * version. Data-side spikes (missing values, out-of-range values) come from
 * the drift report's own alerts.
 *
 * @module
 */
import { latencyQuantile } from "../api/store/histograms.ts";
import type { RequestMinute } from "../api/store/mod.ts";
import type { Alert } from "./alerts.ts";

/** Limits of the operational alerts (the site's overview uses the same). */
export const OPERATIONAL_LIMITS = {
  /** Scoring p95 above this (ms) alerts. */
  latencyP95Ms: 500,
  /** Share of 5xx responses above which the error rate alerts. */
  serverErrorRate: 0.01,
  /** Below this many requests in the interval, rate and latency alerts stay quiet. */
  minRequests: 20,
} as const;

/** Route labels whose latency is the service's scoring latency. */
export const SCORING_ROUTES: readonly string[] = ["POST /predict", "POST /predict_batch"];

/** What the rules look at. */
export interface OperationalInputs {
  /** Request statistics of the interval (any mix of routes and status classes). */
  requests: readonly RequestMinute[];
  /** The model version serving now, and the one of the previous evaluation (if any). */
  modelVersion: string;
  previousModelVersion?: string | null;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The operational alerts of an interval. */
export function operationalAlerts(inputs: OperationalInputs): Alert[] {
  const L = OPERATIONAL_LIMITS;
  const alerts: Alert[] = [];
  let n = 0;
  let errors = 0;
  let scoring = 0;
  let maxMs = 0;
  const buckets: number[] = [];
  for (const r of inputs.requests) {
    n += r.n;
    if (r.statusClass === 5) errors += r.n;
    if (!SCORING_ROUTES.includes(r.route)) continue;
    scoring += r.n;
    maxMs = Math.max(maxMs, r.maxMs);
    r.buckets.forEach((c, k) => (buckets[k] = (buckets[k] ?? 0) + c));
  }
  if (n >= L.minRequests && errors / n > L.serverErrorRate) {
    alerts.push({
      kind: "error_rate",
      severity: errors / n > 5 * L.serverErrorRate ? "high" : "moderate",
      message: `${pct(errors / n)} of ${n} requests answered 5xx (limit ${pct(L.serverErrorRate)})`,
    });
  }
  const p95 = scoring >= L.minRequests ? latencyQuantile(buckets, 0.95, maxMs) : null;
  if (p95 !== null && p95 > L.latencyP95Ms) {
    alerts.push({
      kind: "latency_p95",
      severity: p95 > 4 * L.latencyP95Ms ? "high" : "moderate",
      message: `scoring latency p95 ${Math.round(p95)} ms over ${scoring} requests ` +
        `(limit ${L.latencyP95Ms} ms)`,
    });
  }
  const prev = inputs.previousModelVersion;
  if (prev && prev !== inputs.modelVersion) {
    alerts.push({
      kind: "model_version_change",
      severity: "moderate",
      message: `serving model changed from ${prev} to ${inputs.modelVersion} since the last report`,
    });
  }
  return alerts;
}
