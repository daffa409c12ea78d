/**
 * The fixed histogram layouts of the monitoring rollup tables (schema
 * migration 2): the 20 score bins of `prediction_minutes` (`s00`…`s19`) and
 * the 13 latency buckets of `request_minutes` (`l00`…`l12`), and the
 * quantile estimate read back from bucket counts.
 *
 * These constants describe columns of a released migration: never change
 * them; a different layout needs new columns in a new migration.
 *
 * @module
 */

/** Number of score bins of `prediction_minutes`. */
export const SCORE_BIN_COUNT = 20;

/**
 * Lower edges of score bins 1…19 (bin 0 is everything below 0.05, bin 19
 * everything from 0.95 up), written as the decimal literals the migration's
 * SQL compares with, so both sides round them to the same doubles.
 */
export const SCORE_BIN_EDGES: readonly number[] = [
  0.05,
  0.10,
  0.15,
  0.20,
  0.25,
  0.30,
  0.35,
  0.40,
  0.45,
  0.50,
  0.55,
  0.60,
  0.65,
  0.70,
  0.75,
  0.80,
  0.85,
  0.90,
  0.95,
];

/** Column names of the score bins, in bin order. */
export const SCORE_BIN_COLUMNS: readonly string[] = Array.from(
  { length: SCORE_BIN_COUNT },
  (_, k) => `s${String(k).padStart(2, "0")}`,
);

/** The score bin of a probability, exactly as the rollup (and migration 2's backfill) counts it. */
export function scoreBin(proba: number): number {
  let bin = 0;
  for (const edge of SCORE_BIN_EDGES) if (proba >= edge) bin++;
  return bin;
}

/** Counts of values per score bin. */
export function scoreBinCounts(values: Iterable<number>): number[] {
  const counts = new Array<number>(SCORE_BIN_COUNT).fill(0);
  for (const v of values) if (Number.isFinite(v)) counts[scoreBin(v)]++;
  return counts;
}

/**
 * Inclusive upper bounds (ms) of latency buckets 0…11; bucket 12 holds
 * everything slower than 5 s. 500 ms is a bound, so "p95 above 0.5 s" is
 * decided exactly by the counts.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  1000,
  2000,
  5000,
];

/** Number of latency buckets (the bounds plus the overflow bucket). */
export const LATENCY_BUCKET_COUNT = LATENCY_BOUNDS_MS.length + 1;

/** Column names of the latency buckets, in bucket order. */
export const LATENCY_COLUMNS: readonly string[] = Array.from(
  { length: LATENCY_BUCKET_COUNT },
  (_, k) => `l${String(k).padStart(2, "0")}`,
);

/** The latency bucket of a duration in ms. */
export function latencyBucket(ms: number): number {
  let bucket = 0;
  while (bucket < LATENCY_BOUNDS_MS.length && ms > LATENCY_BOUNDS_MS[bucket]) bucket++;
  return bucket;
}

/**
 * Estimates the `q` quantile (0 < q ≤ 1) of durations from latency bucket
 * counts, interpolating linearly inside the bucket that holds the rank (the
 * Prometheus `histogram_quantile` rule; hand-written because prom-client
 * only exports buckets and leaves quantiles to the query side). The overflow
 * bucket has no upper bound: a rank that lands there reports `maxMs` when
 * known, else the last bound; with `maxMs` no estimate exceeds it. `null`
 * when there are no counts.
 */
export function latencyQuantile(
  counts: readonly number[],
  q: number,
  maxMs?: number,
): number | null {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k];
    if (c > 0 && below + c >= rank) {
      const lower = k === 0 ? 0 : LATENCY_BOUNDS_MS[k - 1];
      if (k >= LATENCY_BOUNDS_MS.length) return Math.max(lower, maxMs ?? lower);
      const upper = LATENCY_BOUNDS_MS[k];
      const value = lower + (upper - lower) * Math.max(0, rank - below) / c;
      return maxMs === undefined ? value : Math.min(value, Math.max(lower, maxMs));
    }
    below += c;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
}
