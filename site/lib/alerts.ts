/**
 * The overview's active alerts: pure rules over numbers the page already
 * computed (latest drift report, request statistics of the window, score mix
 * against the reference, model performance on fed-back outcomes).
 *
 * @module
 */
import { OPERATIONAL_LIMITS } from "../../monitoring/operational.ts";
import type { Verdict } from "../../monitoring/verdict.ts";

/** How urgent an alert is. */
export type AlertLevel = "critical" | "warning" | "info";

/** One alert as the page lists it. */
export interface SiteAlert {
  level: AlertLevel;
  /** Stable key, e.g. `latency`. */
  kind: string;
  title: string;
  detail: string;
  /** Page with more detail, relative to the site root (e.g. `/drift`). */
  href?: string;
}

/** Alert limits (documented on the overview page). */
export const ALERT_LIMITS = {
  /** Scoring p95 above this is an alert (the service's latency objective). */
  latencyP95Ms: OPERATIONAL_LIMITS.latencyP95Ms,
  /** Share of 5xx responses above which the error rate alerts. */
  serverErrorRate: OPERATIONAL_LIMITS.serverErrorRate,
  /** Share of 4xx on scoring routes above which client errors alert. */
  clientErrorRate: 0.2,
  /** Below this many requests in the window, rate alerts stay quiet. */
  minRequests: OPERATIONAL_LIMITS.minRequests,
  /** A drift report older than this is flagged as stale. */
  driftStaleHours: 7 * 24,
} as const;

/** What the rules look at. */
export interface AlertInputs {
  now: Date;
  /** The latest drift report, if any. */
  drift: {
    verdict: Verdict;
    generatedAt: string;
    /** Features (or `proba_default`) with a verdict of moderate or worse, worst first. */
    drifting: { name: string; verdict: Verdict; psi: number | null }[];
    nProduction: number;
  } | null;
  /** All requests of the window. */
  requests: { n: number; serverErrors: number };
  /** Requests to the scoring routes. */
  scoring: { n: number; clientErrors: number; p95Ms: number | null; p50Ms: number | null };
  /** Score mix of the window against the reference (`null` without a reference). */
  scoreMix: { psi: number | null; verdict: Verdict; n: number } | null;
  /** Active performance alerts of the window (realised ROC AUC drop); absent = not checked. */
  performance?: { severity: "moderate" | "high"; message: string }[] | null;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function levelOf(verdict: Verdict): AlertLevel | null {
  if (verdict === "high" || verdict === "severe") return "critical";
  if (verdict === "moderate") return "warning";
  return null;
}

/** Derives the alerts, most urgent first. */
export function overviewAlerts(inputs: AlertInputs): SiteAlert[] {
  const alerts: SiteAlert[] = [];
  const L = ALERT_LIMITS;
  const d = inputs.drift;
  if (d === null) {
    alerts.push({
      kind: "drift",
      level: "info",
      title: "No drift report yet",
      detail: "The service computes one by itself once 200 predictions are logged " +
        "(DRIFT_INTERVAL_MINUTES); or recompute one on the drift page, or run deno task drift.",
      href: "/drift",
    });
  } else {
    const level = levelOf(d.verdict);
    if (level) {
      const names = d.drifting.slice(0, 4).map((f) =>
        `${f.name} (${f.verdict}${f.psi === null ? "" : `, PSI ${f.psi.toFixed(2)}`})`
      );
      alerts.push({
        kind: "drift",
        level,
        title: `Drift: ${d.verdict}`,
        detail: `Latest report (${d.nProduction} rows): ${names.join(", ") || "see report"}.`,
        href: "/drift",
      });
    }
    const ageHours = (inputs.now.getTime() - Date.parse(d.generatedAt)) / 3_600_000;
    if (ageHours > L.driftStaleHours) {
      alerts.push({
        kind: "drift-stale",
        level: "info",
        title: "Drift report is stale",
        detail: `The latest drift report is ${Math.floor(ageHours / 24)} days old.`,
        href: "/drift",
      });
    }
  }
  const s = inputs.scoring;
  if (s.p95Ms !== null && s.n >= L.minRequests && s.p95Ms > L.latencyP95Ms) {
    alerts.push({
      kind: "latency",
      level: s.p50Ms !== null && s.p50Ms > L.latencyP95Ms ? "critical" : "warning",
      title: "Scoring latency above 0.5 s",
      detail: `p95 ${
        Math.round(s.p95Ms)
      } ms over ${s.n} scoring requests (limit ${L.latencyP95Ms} ms).`,
    });
  }
  const r = inputs.requests;
  if (r.n >= L.minRequests && r.serverErrors / r.n > L.serverErrorRate) {
    const rate = r.serverErrors / r.n;
    alerts.push({
      kind: "errors",
      level: rate > 5 * L.serverErrorRate ? "critical" : "warning",
      title: "Server errors",
      detail: `${pct(rate)} of ${r.n} requests answered 5xx (limit ${pct(L.serverErrorRate)}).`,
    });
  }
  if (s.n >= L.minRequests && s.clientErrors / s.n > L.clientErrorRate) {
    alerts.push({
      kind: "client-errors",
      level: "warning",
      title: "Many rejected scoring requests",
      detail: `${pct(s.clientErrors / s.n)} of ${s.n} scoring requests answered 4xx: ` +
        "a client may be sending invalid applications.",
    });
  }
  const m = inputs.scoreMix;
  const mixLevel = m && levelOf(m.verdict);
  if (m && mixLevel) {
    alerts.push({
      kind: "score-mix",
      level: mixLevel,
      title: `Unusual score mix: ${m.verdict}`,
      detail: `proba_default distribution of ${m.n} predictions vs the reference: PSI ${
        m.psi?.toFixed(3)
      }.`,
      href: "/scores",
    });
  }
  for (const p of inputs.performance ?? []) {
    alerts.push({
      kind: "auc-drop",
      level: p.severity === "high" ? "critical" : "warning",
      title: "Model performance dropped",
      detail: `${p.message}.`,
      href: "/performance",
    });
  }
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return alerts
    .map((a, i) => ({ a, i }))
    .sort((x, y) => rank[x.a.level] - rank[y.a.level] || x.i - y.i)
    .map(({ a }) => a);
}
