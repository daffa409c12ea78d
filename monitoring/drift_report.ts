/**
 * The drift report: its JSON shape (rendered by the site, written by
 * `deno task drift`; fields described in `REPORT_FIELDS.md`) and its assembly
 * from a reference profile and production counts. Pure: the counting is done
 * by the streaming accumulator, the I/O by `run_drift.ts`.
 *
 * @module
 */
import type { PerformanceReport } from "./performance.ts";
import { type Alert, collectAlerts, overallVerdict, sortBySeverity } from "./alerts.ts";
import { type DataQuality, dataQualityAlerts } from "./data_quality.ts";
import { type FeatureDrift, featureDrift, psiSection } from "./feature_drift.ts";
import { type MultivariateDrift, multivariateDrift } from "./multivariate.ts";
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
export type { DataQuality, FeatureQuality } from "./data_quality.ts";
export type { CorrelationChange, MultivariateDrift } from "./multivariate.ts";
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
  /** Input data quality: out-of-range values, wrong types, unseen levels. */
  data_quality?: DataQuality;
  /** Multivariate drift (domain classifier), when the profile has its reference. */
  multivariate?: MultivariateDrift;
  /** The same statistics per time chunk of the window, oldest first, when asked for. */
  chunks?: { size: ChunkSize; min_rows: number; rows: ChunkSummary[] };
}

/** Width of a time chunk. */
export type ChunkSize = "hour" | "day";

/** The drift statistics of one time chunk (see `REPORT_FIELDS.md`). */
export interface ChunkSummary {
  /** First instant of the chunk (ISO). */
  start: string;
  n: number;
  /** PSI per feature against the reference (null: no usable row). */
  psi: Record<string, number | null>;
  /** Verdict per feature, with the noise floor of the chunk's size. */
  verdicts: Record<string, Verdict>;
  score_psi: number | null;
  score_verdict: Verdict;
  /** Share of the chunk's rows rejected. */
  reject_rate: number | null;
}

/** Counters of one chunk, as accumulated. */
export interface ChunkInput {
  key: string;
  n: number;
  features: readonly ArrayLike<number>[];
  score: ArrayLike<number>;
  rejects: number;
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
  quality?: DataQuality;
  chunks?: { size: ChunkSize; counts: readonly ChunkInput[] };
  /** The rows sampled for the multivariate check (raw values), how many were offered, the cap. */
  multivariateSample?: { rows: readonly Float64Array[]; seen: number; cap: number };
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
  /** Data quality: `k` of the range rule, the share and count that alert. */
  rangeFactor?: number;
  qualityMinShare?: number;
  qualityMinCount?: number;
  /** Fewer rows in a chunk: its verdicts are `insufficient_data`. Default 100. */
  minChunkRows?: number;
  /** Multivariate check: label permutations of the noise floor (default 19). */
  permutations?: number;
}

/** Default of {@link DriftReportOptions.minChunkRows}. */
export const DEFAULT_MIN_CHUNK_ROWS = 100;

/** Start instant of a chunk key (`2025-01-31T14` or `2025-01-31`). */
export function chunkStart(key: string): string {
  return key.length === 10 ? `${key}T00:00:00.000Z` : `${key}:00:00.000Z`;
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
  const sample = production.multivariateSample;
  const multivariate = profile.multivariate && sample
    ? multivariateDrift(profile.multivariate, sample.rows, {
      nWindow: sample.seen,
      sampleRows: sample.cap,
      sufficient: rules.sufficient,
      permutations: options.permutations,
    })
    : undefined;
  const alerts = sortBySeverity([
    ...collectAlerts({
      features,
      score,
      nProduction: production.n,
      minRows: th.min_rows,
      modelVersions: production.modelVersions,
      referenceModelVersion: profile.modelVersion,
      malformedRows: production.malformed,
    }),
    ...(multivariate ? multivariateAlerts(multivariate) : []),
    ...(production.quality && rules.sufficient ? dataQualityAlerts(production.quality) : []),
  ]);
  const minChunkRows = options.minChunkRows ?? DEFAULT_MIN_CHUNK_ROWS;
  const chunks = production.chunks && {
    size: production.chunks.size,
    min_rows: minChunkRows,
    rows: production.chunks.counts.map((c): ChunkSummary => {
      const chunkRules = { ...rules, sufficient: c.n >= minChunkRows };
      const psi: Record<string, number | null> = {};
      const verdicts: Record<string, Verdict> = {};
      profile.features.forEach((ref, i) => {
        const s = psiSection(ref.counts, c.features[i], chunkRules);
        psi[ref.spec.name] = s.psi;
        verdicts[ref.spec.name] = s.verdict;
      });
      const s = psiSection(profile.score.counts, c.score, chunkRules);
      return {
        start: chunkStart(c.key),
        n: c.n,
        psi,
        verdicts,
        score_psi: s.psi,
        score_verdict: s.verdict,
        reject_rate: c.n > 0 ? c.rejects / c.n : null,
      };
    }),
  };
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
    ...(production.quality ? { data_quality: production.quality } : {}),
    ...(multivariate ? { multivariate } : {}),
    ...(chunks ? { chunks } : {}),
  };
}

/** The alert of a multivariate section that reaches a drift level. */
export function multivariateAlerts(m: MultivariateDrift): Alert[] {
  const v = m.verdict;
  if (v === "low" || v === "insufficient_data" || m.auc === null || m.noise_floor === null) {
    return [];
  }
  const drivers = m.drivers.slice(0, 3).map((d) => d.feature).join(", ");
  const top = m.top_pairs[0];
  const pair = top
    ? ` (${top.a} × ${top.b}: correlation ${top.corr_ref.toFixed(2)} → ${top.corr_prod.toFixed(2)})`
    : "";
  return [{
    kind: "multivariate_drift",
    severity: v,
    message: `relationships between features changed: domain classifier AUC ${
      m.auc.toFixed(3)
    } (${v}; noise threshold ${m.noise_floor.threshold.toFixed(3)}); driven by ${drivers}${pair}`,
  }];
}
