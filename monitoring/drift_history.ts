/**
 * Drift over time: the compact summary of a report that the history keeps
 * (one per scheduled report) and the site charts — PSI and verdict per
 * feature, score PSI, reject rate, the multivariate AUC and the alerts — a few
 * hundred bytes instead of the full report.
 *
 * @module
 */
import { alertKey } from "./alert_state.ts";
import type { DriftReport } from "./drift_report.ts";
import type { Verdict } from "./verdict.ts";

/** One history point (see `REPORT_FIELDS.md`, "History"). */
export interface DriftHistorySummary {
  psi: Record<string, number | null>;
  verdicts: Record<string, Verdict>;
  score_psi: number | null;
  score_verdict: Verdict;
  reject_rate: number | null;
  multivariate_auc: number | null;
  multivariate_verdict: Verdict | null;
  model_versions: Record<string, number>;
  /** Keys of the non-info alerts (`kind` or `kind:feature`). */
  alerts: string[];
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 1e5) / 1e5);

/** The history summary of a report. */
export function historySummary(report: DriftReport): DriftHistorySummary {
  const psi: Record<string, number | null> = {};
  const verdicts: Record<string, Verdict> = {};
  for (const [name, f] of Object.entries(report.features)) {
    psi[name] = round(f.psi);
    verdicts[name] = f.verdict;
  }
  return {
    psi,
    verdicts,
    score_psi: round(report.score_drift.psi),
    score_verdict: report.score_drift.verdict,
    reject_rate: round(report.score_drift.decision_rate_prod),
    multivariate_auc: report.multivariate?.auc ?? null,
    multivariate_verdict: report.multivariate?.verdict ?? null,
    model_versions: report.model_versions,
    alerts: report.alerts.filter((a) => a.severity !== "info").map(alertKey),
  };
}
