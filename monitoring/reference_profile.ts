/**
 * The reference side of drift monitoring: buckets fitted on the reference
 * sample (the training rows with their out-of-fold scores) and the sample's
 * counts in them. Built once, then compared with any number of production
 * windows.
 *
 * @module
 */
import type { Features } from "../api/scoring/feature_vector.ts";
import { decide, type FeatureSpec } from "../api/scoring/model_meta.ts";
import {
  bucketCount,
  bucketOf,
  categoricalBinning,
  DEFAULT_BINS,
  type FeatureBinning,
  fitNumericBinning,
  type NumericBinning,
  numericBucket,
} from "./binning.ts";
import { buildMultivariateReference, type MultivariateReference } from "./multivariate.ts";

/** The reference sample: feature rows and the model's score of each. */
export interface ReferenceSample {
  rows: readonly Features[];
  /** `proba_default` of each row (out-of-fold), same order as `rows`. */
  scores: ArrayLike<number>;
}

/** Buckets and reference counts of one feature. */
export interface FeatureReference {
  readonly spec: FeatureSpec;
  readonly binning: FeatureBinning;
  /** Reference rows per bucket. */
  readonly counts: readonly number[];
  /** Numeric features: smallest and largest reference value (data-quality checks). */
  readonly range?: { readonly min: number; readonly max: number };
}

/** Buckets and reference counts of the model score, and the reference decision rate. */
export interface ScoreReference {
  /** Quantile bins of the reference scores (no missing bucket: scores always exist). */
  readonly binning: NumericBinning;
  readonly counts: readonly number[];
  /** Reference rows whose score reaches the threshold (would be rejected). */
  readonly rejects: number;
  readonly total: number;
  readonly threshold: number;
}

/** Everything the production side is compared with. */
export interface ReferenceProfile {
  /** In model (metadata) order. */
  readonly features: readonly FeatureReference[];
  readonly score: ScoreReference;
  readonly nReference: number;
  /** Number of numeric quantile bins asked for. */
  readonly bins: number;
  /** Version of the model whose scores and threshold the reference uses, if known. */
  readonly modelVersion?: string;
  /** The reference side of the multivariate (domain classifier) check, unless turned off. */
  readonly multivariate?: MultivariateReference;
}

/** Options for {@link buildReferenceProfile}. */
export interface ReferenceProfileOptions {
  /** Feature schema (metadata `features`), in model order. */
  features: readonly FeatureSpec[];
  /** Decision threshold: reject when the score reaches it. */
  threshold: number;
  /** Numeric quantile bins. Default 10. */
  bins?: number;
  modelVersion?: string;
  /** Fit the multivariate reference (default true). */
  multivariate?: boolean;
}

function histogram(binning: FeatureBinning, values: Iterable<Features[string]>): number[] {
  const counts = new Array<number>(bucketCount(binning)).fill(0);
  for (const v of values) counts[bucketOf(binning, v)]++;
  return counts;
}

/**
 * Fits the buckets on the reference sample and counts it. Numeric features
 * get quantile bins of their non-missing reference values; categorical ones a
 * bucket per schema level.
 */
export function buildReferenceProfile(
  sample: ReferenceSample,
  options: ReferenceProfileOptions,
): ReferenceProfile {
  if (sample.rows.length !== sample.scores.length) {
    throw new RangeError(
      `reference has ${sample.rows.length} rows but ${sample.scores.length} scores`,
    );
  }
  if (sample.rows.length === 0) throw new RangeError("reference sample is empty");
  const bins = options.bins ?? DEFAULT_BINS;
  const features = options.features.map((spec): FeatureReference => {
    const column = sample.rows.map((row) => row[spec.name]);
    const binning = spec.type === "numeric"
      ? fitNumericBinning(column.map((v) => (typeof v === "number" ? v : NaN)), { bins })
      : categoricalBinning(spec.levels);
    const counts = histogram(binning, column);
    if (spec.type !== "numeric") return { spec, binning, counts };
    let min = Infinity;
    let max = -Infinity;
    for (const v of column) {
      if (typeof v === "number" && Number.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    return { spec, binning, counts, ...(min <= max ? { range: { min, max } } : {}) };
  });
  const scores = Array.from(sample.scores);
  // Midpoint cuts: the reference stores scores rounded, production does not.
  const scoreBinning = fitNumericBinning(scores, { bins, missingBucket: false, midpoints: true });
  const scoreCounts = new Array<number>(bucketCount(scoreBinning)).fill(0);
  let rejects = 0;
  for (const s of scores) {
    if (!Number.isFinite(s)) throw new RangeError(`reference score ${s} is not a number`);
    scoreCounts[numericBucket(scoreBinning, s)]++;
    rejects += decide(s, options.threshold);
  }
  return {
    features,
    score: {
      binning: scoreBinning,
      counts: scoreCounts,
      rejects,
      total: scores.length,
      threshold: options.threshold,
    },
    nReference: sample.rows.length,
    bins,
    modelVersion: options.modelVersion,
    ...(options.multivariate === false
      ? {}
      : { multivariate: buildMultivariateReference(options.features, sample.rows) }),
  };
}
