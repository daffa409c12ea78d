/**
 * Pure helpers that turn rollup rows into chart series: aligning sparse
 * buckets onto the window's bucket grid, ratios and rolling (weighted) means.
 *
 * @module
 */

/** Values of `rows` placed on `starts` (the bucket grid); absent buckets are `undefined`. */
export function alignBuckets<T extends { minute: number }>(
  starts: readonly number[],
  rows: readonly T[],
): (T | undefined)[] {
  const byMinute = new Map(rows.map((r) => [r.minute, r]));
  return starts.map((m) => byMinute.get(m));
}

/** `num / den`, or `null` when `den` is 0. */
export function ratio(num: number, den: number): number | null {
  return den > 0 ? num / den : null;
}

/**
 * Rolling ratio over the last `k` buckets: Σnum / Σden of buckets i−k+1…i,
 * i.e. a mean weighted by each bucket's row count (empty buckets add
 * nothing). `null` while the window holds no rows.
 */
export function rollingRatio(
  num: readonly number[],
  den: readonly number[],
  k: number,
): (number | null)[] {
  const out: (number | null)[] = [];
  let sNum = 0;
  let sDen = 0;
  for (let i = 0; i < num.length; i++) {
    sNum += num[i];
    sDen += den[i];
    if (i >= k) {
      sNum -= num[i - k];
      sDen -= den[i - k];
    }
    out.push(sDen > 0 ? sNum / sDen : null);
  }
  return out;
}

/** Element-wise sum of equal-length count arrays. */
export function addCounts(into: number[], more: readonly number[]): number[] {
  for (let i = 0; i < more.length; i++) into[i] = (into[i] ?? 0) + more[i];
  return into;
}
