/**
 * The drift report: its JSON shape (rendered by the site, written by
 * `deno task drift`; fields described in `REPORT_FIELDS.md`) and its assembly
 * from a reference profile and production counts. Pure: the counting is done
 * by the streaming accumulator, the I/O by `run_drift.ts`.
 *
 * @module
 */
import type { PerformanceReport } from "./performance.ts";
import { type Alert, collectAlerts, overallVerdict } from "./alerts.ts";
import { type FeatureDrift, featureDrift } from "./feature_drift.ts";
import { PSI_EPSILON } from "./psi.ts";
import {
  DEFAULT_DECISION_RATE_DELTA,
  DEFAULT_MIN_Z,
  DEFAULT_MISSING_DELTA,
} from "./rate_change.ts";
import type { ReferenceProfile } from "./reference_profile.ts";
import { type ScoreCounts, type ScoreDrift, scoreDrift } from "./score_drift.ts";
import {
  DEFAULT_MIN_ROWS,
  DEFAULT_NOISE_MULTIPLE,
  DEFAULT_PSI_THRESHOLDS,
  type PsiThresholds,
  type Verdict,
} from "./verdict.ts";

export type { Alert, AlertKind, AlertSeverity } from "./alerts.ts";
export type { BinShare, FeatureDrift } from "./feature_drift.ts";
export type { ScoreDrift } from "./score_drift.ts";
export type { DriftLevel, Verdict } from "./verdict.ts";

/** The production rows the report covers. */
export interface DriftWindow {
  /** Earliest and latest `ts_utc` of the rows; `null` for an empty window. */
  first_ts: string | null;
  last_ts: string | null;
  n_production: number;
  n_reference: number;
  /** The selection asked for (`null` = not restricted). */
  since: string | null;
  until: string | null;
  limit: number | null;
}

/** The thresholds and rules the verdicts used. */
export interface ReportThresholds extends PsiThresholds {
  /** A PSI counts only from this multiple of its noise floor. */
  noise_multiple: number;
  /** Below this many production rows the verdict is "insufficient_data". */
  min_rows: number;
  /** Missing-rate change that alerts (absolute). */
  missing_delta: number;
  /** Reject-rate change that alerts (absolute). */
  decision_rate_delta: number;
  /** Minimum |z| of a rate change for an alert. */
  min_z: number;
  /** Share used for empty buckets in PSI. */
  epsilon: number;
  /** Numeric quantile bins asked for. */
  bins: number;
}

/** A drift report; JSON-serialisable as is. */
export interface DriftReport {
  generated_at: string;
  window: DriftWindow;
  /** Production rows per model version. */
  model_versions: Record<string, number>;
  /** Version of the model of the reference scores and threshold, if known. */
  reference_model_version: string | null;
  /** Per feature, in model order. */
  features: Record<string, FeatureDrift>;
  /** Features by decreasing PSI (features without a PSI left out). */
  top_psi: { feature: string; psi: number }[];
  /** Features by decreasing |missing_delta|. */
  top_missing_delta: { feature: string; missing_delta: number }[];
  score_drift: ScoreDrift;
  thresholds: ReportThresholds;
  overall_verdict: Verdict;
  /** Most severe first. */
  alerts: Alert[];
  /**
   * Model performance over the same window (outcomes fed back through
   * /feedback; CBPE estimates on all rows), when the model metadata was given.
   */
  performance?: PerformanceReport;
}

/** Production counts, as accumulated from the logged rows. */
export interface ProductionCounts {
  /** Rows in the window. */
  n: number;
  /** Bucket counts per feature, in profile order. */
  features: readonly ArrayLike<number>[];
  score: ScoreCounts;
  firstTs: string | null;
  lastTs: string | null;
  modelVersions: Readonly<Record<string, number>>;
  /** Rows whose `input_json` could not be read (counted in `n`, not in features). */
  malformed: number;
}

/** Rules and context of a report; every field has a default. */
export interface DriftReportOptions {
  thresholds?: PsiThresholds;
  noiseMultiple?: number;
  minRows?: number;
  missingDelta?: number;
  decisionRateDelta?: number;
  minZ?: number;
  epsilon?: number;
  /** The selection the window came from, echoed in `window`. */
  query?: { since?: string; until?: string; limit?: number };
  /** Clock for `generated_at`. Default: now. */
  now?: () => Date;
}

/** Resolves the rules of a report, defaults filled in. */
export function reportThresholds(
  profile: Pick<ReferenceProfile, "bins">,
  options: DriftReportOptions = {},
): ReportThresholds {
  const t = options.thresholds ?? DEFAULT_PSI_THRESHOLDS;
  return {
    moderate: t.moderate,
    high: t.high,
    severe: t.severe,
    noise_multiple: options.noiseMultiple ?? DEFAULT_NOISE_MULTIPLE,
    min_rows: options.minRows ?? DEFAULT_MIN_ROWS,
    missing_delta: options.missingDelta ?? DEFAULT_MISSING_DELTA,
    decision_rate_delta: options.decisionRateDelta ?? DEFAULT_DECISION_RATE_DELTA,
    min_z: options.minZ ?? DEFAULT_MIN_Z,
    epsilon: options.epsilon ?? PSI_EPSILON,
    bins: profile.bins,
  };
}

/** Assembles the report of one production window against the reference. */
export function buildDriftReport(
  profile: ReferenceProfile,
  production: ProductionCounts,
  options: DriftReportOptions = {},
): DriftReport {
  if (production.features.length !== profile.features.length) {
    throw new RangeError("production counts do not match the reference features");
  }
  const th = reportThresholds(profile, options);
  const rules = {
    thresholds: { moderate: th.moderate, high: th.high, severe: th.severe },
    noiseMultiple: th.noise_multiple,
    minZ: th.min_z,
    epsilon: th.epsilon,
    sufficient: production.n >= th.min_rows,
  };
  const features: Record<string, FeatureDrift> = {};
  profile.features.forEach((ref, i) => {
    features[ref.spec.name] = featureDrift(ref, production.features[i], {
      ...rules,
      missingDelta: th.missing_delta,
    });
  });
  const score = scoreDrift(profile.score, production.score, {
    ...rules,
    decisionRateDelta: th.decision_rate_delta,
  });
  const entries = Object.entries(features);
  const topPsi = entries
    .flatMap(([feature, f]) => (f.psi === null ? [] : [{ feature, psi: f.psi }]))
    .sort((a, b) => b.psi - a.psi);
  const topMissing = entries
    .flatMap(([feature, f]) =>
      f.missing_delta === null ? [] : [{ feature, missing_delta: f.missing_delta }]
    )
    .sort((a, b) => Math.abs(b.missing_delta) - Math.abs(a.missing_delta));
  const alerts = collectAlerts({
    features,
    score,
    nProduction: production.n,
    minRows: th.min_rows,
    modelVersions: production.modelVersions,
    referenceModelVersion: profile.modelVersion,
    malformedRows: production.malformed,
  });
  const q = options.query ?? {};
  return {
    generated_at: (options.now?.() ?? new Date()).toISOString(),
    window: {
      first_ts: production.firstTs,
      last_ts: production.lastTs,
      n_production: production.n,
      n_reference: profile.nReference,
      since: q.since ?? null,
      until: q.until ?? null,
      limit: q.limit ?? null,
    },
    model_versions: { ...production.modelVersions },
    reference_model_version: profile.modelVersion ?? null,
    features,
    top_psi: topPsi,
    top_missing_delta: topMissing,
    score_drift: score,
    thresholds: th,
    overall_verdict: overallVerdict(alerts, { nProduction: production.n, minRows: th.min_rows }),
    alerts,
  };
}
