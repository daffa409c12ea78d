/**
 * The alert list of a drift report, derived from its sections, and the
 * overall verdict derived from the alerts.
 *
 * Severities: a PSI alert carries its band; a missing-rate or decision-rate
 * alert is "moderate" (a material, statistically clear change of a rate);
 * "info" alerts (mixed or foreign model versions, malformed logged rows)
 * explain the numbers and never raise the verdict.
 *
 * @module
 */
import type { FeatureDrift } from "./feature_drift.ts";
import type { ScoreDrift } from "./score_drift.ts";
import { type DriftLevel, levelRank, maxLevel, type Verdict } from "./verdict.ts";

/** What an alert is about. */
export type AlertKind =
  | "insufficient_data"
  | "feature_drift"
  | "missing_rate"
  | "score_drift"
  | "decision_rate"
  | "model_version"
  | "malformed_rows"
  | "auc_drop"
  | "multivariate_drift"
  | "out_of_range"
  | "wrong_type"
  | "unseen_level"
  | OperationalAlertKind;

/** Alerts about the running service rather than the data (see `operational.ts`). */
export type OperationalAlertKind =
  | "error_rate"
  | "latency_p95"
  | "model_version_change";

/** How bad an alert is: a drift level above "low", or "info". */
export type AlertSeverity = Exclude<DriftLevel, "low"> | "info";

/** One alert of a report. */
export interface Alert {
  kind: AlertKind;
  feature?: string;
  severity: AlertSeverity;
  message: string;
}

/** The sections and facts alerts are derived from. */
export interface AlertInputs {
  features: Readonly<Record<string, FeatureDrift>>;
  score: ScoreDrift;
  nProduction: number;
  minRows: number;
  modelVersions: Readonly<Record<string, number>>;
  /** Version of the model the reference scores come from, if known. */
  referenceModelVersion?: string;
  malformedRows: number;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (x: number) => x.toFixed(3);

function severityRank(s: AlertSeverity): number {
  return s === "info" ? 0 : levelRank(s);
}

function psiAlert(
  kind: "feature_drift" | "score_drift",
  what: string,
  section: { psi: number | null; noise_floor: number | null; verdict: Verdict },
  feature?: string,
): Alert[] {
  const v = section.verdict;
  if (v === "low" || v === "insufficient_data" || section.psi === null) return [];
  return [{
    kind,
    ...(feature === undefined ? {} : { feature }),
    severity: v,
    message: `${what}: PSI ${num(section.psi)} (${v}; noise floor ${
      num(section.noise_floor ?? 0)
    })`,
  }];
}

/** Derives the alerts of a report, most severe first (stable within a severity). */
export function collectAlerts(inputs: AlertInputs): Alert[] {
  const alerts: Alert[] = [];
  if (inputs.nProduction < inputs.minRows) {
    alerts.push({
      kind: "insufficient_data",
      severity: "info",
      message: `only ${inputs.nProduction} production rows (minimum ${inputs.minRows}): ` +
        "no drift verdict",
    });
  }
  for (const [name, f] of Object.entries(inputs.features)) {
    alerts.push(...psiAlert("feature_drift", name, f, name));
    if (f.missing_alert && f.missing_prod !== null) {
      alerts.push({
        kind: "missing_rate",
        feature: name,
        severity: "moderate",
        message: `${name}: missing rate ${pct(f.missing_ref)} → ${pct(f.missing_prod)}`,
      });
    }
  }
  alerts.push(...psiAlert("score_drift", "proba_default", inputs.score));
  const s = inputs.score;
  if (s.decision_rate_alert && s.decision_rate_prod !== null) {
    alerts.push({
      kind: "decision_rate",
      severity: "moderate",
      message: `reject rate ${pct(s.decision_rate_ref)} (reference) → ${pct(s.decision_rate_prod)}`,
    });
  }
  const versions = Object.keys(inputs.modelVersions);
  const foreign = versions.filter((v) => v !== inputs.referenceModelVersion);
  if (versions.length > 1 || (inputs.referenceModelVersion !== undefined && foreign.length > 0)) {
    const list = versions.map((v) => `${v} (${inputs.modelVersions[v]})`).join(", ");
    const ref = inputs.referenceModelVersion ?? "unknown";
    alerts.push({
      kind: "model_version",
      severity: "info",
      message: `window scored by model version(s) ${list}; reference scores are from ${ref}`,
    });
  }
  if (inputs.malformedRows > 0) {
    alerts.push({
      kind: "malformed_rows",
      severity: "info",
      message: `${inputs.malformedRows} logged rows had unreadable input_json ` +
        "(left out of feature statistics)",
    });
  }
  return sortBySeverity(alerts);
}

/** Most severe first; alerts of equal severity keep their order. */
export function sortBySeverity(alerts: readonly Alert[]): Alert[] {
  return alerts
    .map((a, i) => ({ a, i }))
    .sort((x, y) => severityRank(y.a.severity) - severityRank(x.a.severity) || x.i - y.i)
    .map(({ a }) => a);
}

/**
 * The overall verdict: "insufficient_data" below the minimum row count,
 * otherwise the most severe non-info alert ("low" when there is none).
 */
export function overallVerdict(
  alerts: readonly Alert[],
  window: { nProduction: number; minRows: number },
): Verdict {
  if (window.nProduction < window.minRows) return "insufficient_data";
  return maxLevel(
    alerts.flatMap((a) => (a.severity === "info" ? [] : [a.severity])),
  );
}
