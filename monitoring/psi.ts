/**
 * Population Stability Index between a reference and a production histogram
 * over the same buckets, and its no-drift noise floor.
 *
 * `PSI = Σ (p_i − q_i) · ln(p_i / q_i)` with `p`, `q` the production and
 * reference shares: the symmetric (Jeffreys) divergence of the two
 * histograms. Every term is ≥ 0, so PSI is non-negative and symmetric.
 *
 * @module
 */

/**
 * Share substituted for an empty bucket (one side 0, the other not), so that
 * `ln(p / q)` stays finite. 1e-4 is below the share of a single row in any
 * sample this project compares (the reference has a few thousand rows, a
 * window at least a few hundred), so it only ever stands in for "no rows".
 * With it, a bucket holding share `p` on one side only adds about
 * `p · ln(p / 1e-4)`: 1% of rows in a never-seen level adds 0.046, 5% adds
 * 0.31 (severe on its own), a single stray row among 1000 adds 0.002.
 * A bucket empty on both sides adds nothing.
 */
export const PSI_EPSILON = 1e-4;

/** Options for {@link psi}. */
export interface PsiOptions {
  /** Share used for an empty bucket. Default {@link PSI_EPSILON}. */
  epsilon?: number;
}

function total(counts: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += counts[i];
  return sum;
}

/** Shares of a histogram (counts / total); all zeros for an empty histogram. */
export function shares(counts: ArrayLike<number>): number[] {
  const n = total(counts);
  return Array.from(counts, (c) => (n > 0 ? c / n : 0));
}

function assertComparable(ref: ArrayLike<number>, prod: ArrayLike<number>): void {
  if (ref.length !== prod.length) {
    throw new RangeError(`bucket counts differ: ${ref.length} vs ${prod.length}`);
  }
}

/**
 * PSI of two histograms over the same buckets. Returns `null` when either
 * side has no rows (the index is undefined then).
 */
export function psi(
  refCounts: ArrayLike<number>,
  prodCounts: ArrayLike<number>,
  options: PsiOptions = {},
): number | null {
  assertComparable(refCounts, prodCounts);
  const eps = options.epsilon ?? PSI_EPSILON;
  const n = total(refCounts);
  const m = total(prodCounts);
  if (n === 0 || m === 0) return null;
  let sum = 0;
  for (let i = 0; i < refCounts.length; i++) {
    if (refCounts[i] === 0 && prodCounts[i] === 0) continue;
    const q = refCounts[i] > 0 ? refCounts[i] / n : eps;
    const p = prodCounts[i] > 0 ? prodCounts[i] / m : eps;
    sum += (p - q) * Math.log(p / q);
  }
  return sum;
}

/**
 * Expected PSI between two samples of sizes N and M drawn from the same
 * distribution: `(B − 1) · (1/N + 1/M)`, B = buckets non-empty in either
 * sample. (For small differences PSI ≈ Σ (p_i − q_i)² / π_i, whose
 * expectation is Σ (1 − π_i)(1/N + 1/M) = (B − 1)(1/N + 1/M); scaled by
 * NM/(N+M), PSI is then approximately χ² with B − 1 degrees of freedom.)
 * `null` when either side has no rows.
 */
export function psiNoiseFloor(
  refCounts: ArrayLike<number>,
  prodCounts: ArrayLike<number>,
): number | null {
  assertComparable(refCounts, prodCounts);
  const n = total(refCounts);
  const m = total(prodCounts);
  if (n === 0 || m === 0) return null;
  let buckets = 0;
  for (let i = 0; i < refCounts.length; i++) {
    if (refCounts[i] > 0 || prodCounts[i] > 0) buckets++;
  }
  return Math.max(0, buckets - 1) * (1 / n + 1 / m);
}
