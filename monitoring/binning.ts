/**
 * Buckets for drift statistics: quantile bins for numeric features (fitted on
 * the reference sample only) and one bucket per level for categorical ones,
 * each with its own "missing" bucket.
 *
 * Conventions, chosen so that every bucket a fitted binning creates holds
 * reference data:
 * - numeric bins are right-closed, `(e[i-1], e[i]]`, with open-ended edge bins
 *   `≤ e[0]` and `> e[last]`. Ties at a cut point fall in the lower bin, so a
 *   heavily tied value (Debt = 0 for most applicants) forms one bin instead of
 *   leaving an empty one beside it;
 * - cut points are the reference's empirical quantiles at `j / bins`;
 *   duplicates are collapsed and a cut point equal to the reference maximum is
 *   dropped (its upper bin would be empty), so there may be fewer bins than
 *   asked for;
 * - production values below or above the reference range fall in the edge
 *   bins, pooled with the reference's extreme values. An out-of-range value is
 *   a validation matter (the API sees the training range); for drift it counts
 *   as "more mass in the tails", which PSI measures without one unseen value
 *   exploding through an empty bucket;
 * - a numeric value that is not a finite number counts as missing (the API
 *   never logs one: it validates types first);
 * - a categorical value outside the known levels goes to "unseen level".
 *
 * @module
 */

/** Label of the bucket of missing values. */
export const MISSING_LABEL = "(missing)";
/** Label of the bucket of categorical values outside the known levels. */
export const UNSEEN_LABEL = "(unseen level)";

/** Quantile bins of a numeric variable. */
export interface NumericBinning {
  readonly type: "numeric";
  /** Increasing cut points; bucket `i` is `(edges[i-1], edges[i]]`. */
  readonly edges: readonly number[];
  /** Index of the missing bucket, or -1 when the binning has none. */
  readonly missingIndex: number;
  /** One label per bucket, the missing bucket last. */
  readonly labels: readonly string[];
}

/** One bucket per level of a categorical variable, then "unseen", then "missing". */
export interface CategoricalBinning {
  readonly type: "categorical";
  readonly levelIndex: ReadonlyMap<string, number>;
  readonly unseenIndex: number;
  readonly missingIndex: number;
  readonly labels: readonly string[];
}

/** The buckets of one feature. */
export type FeatureBinning = NumericBinning | CategoricalBinning;

/** Default number of numeric quantile bins (deciles). */
export const DEFAULT_BINS = 10;

/** Options for {@link quantileEdges}. */
export interface QuantileOptions {
  /**
   * Cut halfway between the quantile and the next larger reference value
   * instead of at the quantile itself. Reference values fall in the same bins
   * either way; production values that differ from a reference value only by
   * rounding stay in its bin. Used for model scores, which the reference
   * stores rounded (6 decimals) while production logs them unrounded: with
   * cuts at reference values, a logged score a hair above its rounded
   * reference twin would cross into the next bin. Default false (cuts at data
   * values, so feature labels read like the data).
   */
  midpoints?: boolean;
}

/** Options for {@link fitNumericBinning}. */
export interface FitNumericOptions extends QuantileOptions {
  /** Number of quantile bins asked for (≥ 1). Default 10 (deciles). */
  bins?: number;
  /** Add a bucket for missing values. Default true. */
  missingBucket?: boolean;
}

/** Index of the first element of `sorted` greater than `x`. */
function upperBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Cut points of `bins` quantile bins of increasingly sorted, finite values:
 * the empirical quantiles `sorted[ceil(j·n/bins) − 1]` for `j = 1 … bins−1`
 * (actual data values), without duplicates and without the maximum; with
 * `midpoints`, each moved halfway to the next larger value.
 */
export function quantileEdges(
  sorted: ArrayLike<number>,
  bins: number,
  options: QuantileOptions = {},
): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be ≥ 1, got ${bins}`);
  const n = sorted.length;
  const edges: number[] = [];
  if (n === 0) return edges;
  const max = sorted[n - 1];
  let last = -Infinity;
  for (let j = 1; j < bins; j++) {
    // j·n and bins are integers: the division is exact whenever it is whole.
    const q = sorted[Math.ceil((j * n) / bins) - 1];
    if (q >= max || q <= last) continue;
    last = q;
    edges.push(options.midpoints ? (q + sorted[upperBound(sorted, q)]) / 2 : q);
  }
  return edges;
}

/** Formats a cut point for a label: at most 6 significant digits. */
export function formatEdge(x: number): string {
  return String(Number(x.toPrecision(6)));
}

function numericLabels(edges: readonly number[], missing: boolean): string[] {
  const labels: string[] = [];
  if (edges.length === 0) labels.push("all values");
  else {
    labels.push(`≤ ${formatEdge(edges[0])}`);
    for (let i = 1; i < edges.length; i++) {
      labels.push(`(${formatEdge(edges[i - 1])}, ${formatEdge(edges[i])}]`);
    }
    labels.push(`> ${formatEdge(edges[edges.length - 1])}`);
  }
  if (missing) labels.push(MISSING_LABEL);
  return labels;
}

/** Builds a numeric binning from explicit cut points (increasing, distinct). */
export function numericBinning(
  edges: readonly number[],
  options: { missingBucket?: boolean } = {},
): NumericBinning {
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i] > edges[i - 1])) throw new RangeError("edges must be strictly increasing");
  }
  const missing = options.missingBucket ?? true;
  return {
    type: "numeric",
    edges: [...edges],
    missingIndex: missing ? edges.length + 1 : -1,
    labels: numericLabels(edges, missing),
  };
}

/**
 * Fits quantile bins on reference values; non-finite values (missing) are
 * left out of the quantiles.
 */
export function fitNumericBinning(
  values: Iterable<number>,
  options: FitNumericOptions = {},
): NumericBinning {
  const finite = Float64Array.from([...values].filter(Number.isFinite)).sort();
  return numericBinning(quantileEdges(finite, options.bins ?? DEFAULT_BINS, options), options);
}

/** Builds the buckets of a categorical feature with these levels. */
export function categoricalBinning(levels: readonly string[]): CategoricalBinning {
  const levelIndex = new Map(levels.map((level, i) => [level, i]));
  if (levelIndex.size !== levels.length) throw new RangeError("levels must be distinct");
  return {
    type: "categorical",
    levelIndex,
    unseenIndex: levels.length,
    missingIndex: levels.length + 1,
    labels: [...levels, UNSEEN_LABEL, MISSING_LABEL],
  };
}

/** Number of buckets of a binning. */
export function bucketCount(binning: FeatureBinning): number {
  return binning.labels.length;
}

/**
 * Bucket of a numeric value: the number of cut points strictly below it (a
 * binary search), or the missing bucket for a non-finite value. Throws when
 * the value is missing and the binning has no missing bucket.
 */
export function numericBucket(binning: NumericBinning, value: number): number {
  if (!Number.isFinite(value)) {
    if (binning.missingIndex < 0) throw new RangeError("missing value in a binning without one");
    return binning.missingIndex;
  }
  const edges = binning.edges;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Bucket of a feature value as logged (`null` or absent = missing). Takes any
 * parsed JSON value: a non-number in a numeric feature counts as missing, a
 * non-string in a categorical one as an unseen level.
 */
export function bucketOf(binning: FeatureBinning, value: unknown): number {
  return binning.type === "numeric"
    ? numericBucket(binning, typeof value === "number" ? value : NaN)
    : categoricalBucket(binning, value);
}

/** Bucket of a categorical value: its level, "unseen level", or missing (`null`/absent). */
export function categoricalBucket(binning: CategoricalBinning, value: unknown): number {
  if (value === null || value === undefined) return binning.missingIndex;
  return typeof value === "string"
    ? binning.levelIndex.get(value) ?? binning.unseenIndex
    : binning.unseenIndex;
}
