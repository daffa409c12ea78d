/**
 * Histogram binning for the tree learner: each feature column is cut into at
 * most `maxBins` ordered bins once, before boosting, so that split finding
 * sums gradients per bin instead of sorting rows at every node.
 *
 * Numeric columns get quantile cut points between distinct values;
 * categorical columns (ordinal level indices, see `feature_vector.ts`) get
 * one bin per level. Missing values (NaN) go to an extra bin after the
 * others, so every split can choose the side they take.
 *
 * Cut points are float32 values, and a value `v` lands in bin `b` exactly
 * when `edges[b - 1] <= v < edges[b]`: a split "bins 0..b left" is the tree
 * split `v < edges[b]`, which the float32 ONNX runtime evaluates identically.
 *
 * @module
 */

/** How one column is cut: ascending float32 cut points. */
export interface ColumnBins {
  /** Bin `b` holds values `v` with `edges[b - 1] <= v < edges[b]`. */
  edges: number[];
}

/** A matrix turned into bin codes, column by column. */
export interface BinnedMatrix {
  nRows: number;
  columns: ColumnBins[];
  /** `codes[feature][row]`: bin index; `missingBin(columns[feature])` for NaN. */
  codes: Uint16Array[];
}

/** Largest supported `maxBins` (codes are 16-bit, one code is the missing bin). */
export const MAX_BINS = 65_535;

/** Number of bins holding non-missing values. */
export function valueBins(column: ColumnBins): number {
  return column.edges.length + 1;
}

/** Index of the bin holding missing values (after the value bins). */
export function missingBin(column: ColumnBins): number {
  return column.edges.length + 1;
}

/** A float32 cut point `c` with `a < c <= b`, near the middle of two float32 values. */
function cutBetween(a: number, b: number): number {
  const middle = Math.fround((a + b) / 2);
  return a < middle && middle <= b ? middle : b;
}

/**
 * Quantile cut points for a numeric column (NaN ignored): a cut between every
 * pair of consecutive distinct values when there are at most `maxBins` of
 * them, otherwise cuts that give bins of roughly equal row counts.
 * `values` must be float32 values (e.g. read from a Float32Array).
 */
export function numericEdges(values: ArrayLike<number>, maxBins: number): number[] {
  if (!(maxBins >= 2 && maxBins <= MAX_BINS)) throw new RangeError(`maxBins ${maxBins}`);
  const present = Float64Array.from(values).filter((v) => !Number.isNaN(v)).sort();
  const distinct: number[] = [];
  const counts: number[] = [];
  for (const v of present) {
    if (distinct.length > 0 && distinct[distinct.length - 1] === v) counts[counts.length - 1]++;
    else {
      distinct.push(v);
      counts.push(1);
    }
  }
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 1; i < distinct.length; i++) edges.push(cutBetween(distinct[i - 1], distinct[i]));
    return edges;
  }
  const perBin = present.length / maxBins;
  let cumulative = 0;
  let target = perBin;
  for (let i = 0; i < distinct.length - 1 && edges.length < maxBins - 1; i++) {
    cumulative += counts[i];
    if (cumulative >= target) {
      edges.push(cutBetween(distinct[i], distinct[i + 1]));
      // A heavy value may pass several targets: aim at the next one above it.
      target = (Math.floor(cumulative / perBin) + 1) * perBin;
    }
  }
  return edges;
}

/** One bin per level of a categorical column coded 0 … nLevels − 1. */
export function categoricalEdges(nLevels: number): number[] {
  return Array.from({ length: Math.max(nLevels - 1, 0) }, (_, i) => i + 0.5);
}

/** Bin of one value: NaN → missing bin, otherwise the number of edges ≤ v. */
export function binIndex(column: ColumnBins, v: number): number {
  if (Number.isNaN(v)) return missingBin(column);
  const edges = column.edges;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Options for {@link fitBins}. */
export interface FitBinsOptions {
  nFeatures: number;
  /** Per column: the number of levels of a categorical column, `null` for numeric. */
  levelCounts: readonly (number | null)[];
  /** Most bins per numeric column. */
  maxBins: number;
}

function column(matrix: Float32Array, nFeatures: number, f: number): Float32Array {
  const n = matrix.length / nFeatures;
  const out = new Float32Array(n);
  for (let r = 0; r < n; r++) out[r] = matrix[r * nFeatures + f];
  return out;
}

/** Chooses the bins of every column of a row-major matrix. */
export function fitBins(matrix: Float32Array, options: FitBinsOptions): ColumnBins[] {
  return Array.from({ length: options.nFeatures }, (_, f) => {
    const levels = options.levelCounts[f];
    const edges = levels === null
      ? numericEdges(column(matrix, options.nFeatures, f), options.maxBins)
      : categoricalEdges(levels);
    return { edges };
  });
}

/** Codes a row-major matrix with previously chosen bins. */
export function applyBins(matrix: Float32Array, columns: ColumnBins[]): BinnedMatrix {
  const nFeatures = columns.length;
  const nRows = matrix.length / nFeatures;
  const codes = columns.map((col, f) => {
    const out = new Uint16Array(nRows);
    for (let r = 0; r < nRows; r++) out[r] = binIndex(col, matrix[r * nFeatures + f]);
    return out;
  });
  return { nRows, columns, codes };
}
