/**
 * Summary statistics of latency samples: min, mean, p50, p95, p99, max.
 * Quantiles interpolate linearly between order statistics (R's type 7, the
 * default of R and NumPy), so p50 of an even count is the mean of the middle
 * two.
 *
 * @module
 */

/** Summary of a set of durations (same unit as the samples). */
export interface LatencySummary {
  n: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * The `q` quantile (0 ≤ q ≤ 1) of ascending `sorted` values, interpolating
 * linearly between the two nearest order statistics. NaN when empty.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not in [0, 1]`);
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The median of `values` (any order). NaN when empty. */
export function median(values: readonly number[]): number {
  return quantileSorted([...values].sort((a, b) => a - b), 0.5);
}

/** Summarises samples (any order); null when there are none. */
export function summariseLatencies(samples: readonly number[]): LatencySummary | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    n: sorted.length,
    min: sorted[0],
    mean: sum / sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1],
  };
}
