import { deepEqual, equal, throws } from "node:assert/strict";
import fc from "fast-check";
import {
  bucketCount,
  bucketOf,
  categoricalBinning,
  fitNumericBinning,
  MISSING_LABEL,
  numericBinning,
  numericBucket,
  quantileEdges,
  UNSEEN_LABEL,
} from "./binning.ts";

Deno.test("quantileEdges: quintiles of 1..10 are the empirical quantiles 2, 4, 6, 8", () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  deepEqual(quantileEdges(sorted, 5), [2, 4, 6, 8]);
  // Deciles: sorted[ceil(j·10/10) − 1] = j for j = 1..9.
  deepEqual(quantileEdges(sorted, 10), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

Deno.test("quantileEdges: duplicate quantiles collapse and a cut at the maximum is dropped", () => {
  // Debt-like: 8 zeros, then 5, 9. Deciles j=1..9 pick sorted[0..8] = 0×8, 5.
  deepEqual(quantileEdges([0, 0, 0, 0, 0, 0, 0, 0, 5, 9], 10), [0, 5]);
  // Quartile cut points 1, 1, 2: the 2 is the maximum (its upper bin would be empty).
  deepEqual(quantileEdges([1, 1, 1, 1, 1, 2, 2, 2, 2, 2], 4), [1]);
  deepEqual(quantileEdges([7, 7, 7], 10), []);
  deepEqual(quantileEdges([], 10), []);
  throws(() => quantileEdges([1, 2], 0), RangeError);
});

Deno.test("quantileEdges with midpoints: same reference bins, robust to rounding", () => {
  const sorted = [0.1, 0.1, 0.25, 0.25, 0.4, 0.4, 0.7, 0.7];
  deepEqual(quantileEdges(sorted, 4), [0.1, 0.25, 0.4]);
  const mid = quantileEdges(sorted, 4, { midpoints: true });
  deepEqual(mid.map((x) => Number(x.toFixed(10))), [0.175, 0.325, 0.55]);
  const exact = numericBinning(quantileEdges(sorted, 4));
  const robust = numericBinning(mid);
  for (const v of sorted) equal(numericBucket(robust, v), numericBucket(exact, v));
  // A logged 0.2500001 (the reference stored 0.25): same bin with midpoints only.
  equal(numericBucket(robust, 0.2500001), numericBucket(robust, 0.25));
  equal(numericBucket(exact, 0.2500001), numericBucket(exact, 0.25) + 1);
});

Deno.test("numericBucket: right-closed bins, out-of-range values in the edge bins", () => {
  const b = numericBinning([2, 4, 6, 8]);
  deepEqual(b.labels, ["≤ 2", "(2, 4]", "(4, 6]", "(6, 8]", "> 8", MISSING_LABEL]);
  deepEqual(numericBucket(b, 2), 0); // a tie with a cut point goes to the lower bin
  deepEqual(numericBucket(b, 2.0001), 1);
  deepEqual(numericBucket(b, 8), 3);
  deepEqual(numericBucket(b, 8.5), 4);
  deepEqual(numericBucket(b, -1e9), 0); // below the reference range
  deepEqual(numericBucket(b, 1e9), 4); // above it
  deepEqual(numericBucket(b, NaN), 5);
  deepEqual(numericBucket(b, Infinity), 5);
});

Deno.test("bucketOf numeric: null, absent and non-numbers count as missing", () => {
  const b = numericBinning([10]);
  deepEqual(bucketOf(b, 3), 0);
  deepEqual(bucketOf(b, 30), 1);
  deepEqual(bucketOf(b, null), 2);
  deepEqual(bucketOf(b, undefined), 2);
  deepEqual(bucketOf(b, "12"), 2);
});

Deno.test("numeric binning without a missing bucket refuses a missing value", () => {
  const b = numericBinning([0.5], { missingBucket: false });
  deepEqual(b.labels, ["≤ 0.5", "> 0.5"]);
  deepEqual(b.missingIndex, -1);
  throws(() => numericBucket(b, NaN), RangeError);
});

Deno.test("numericBinning refuses edges that are not strictly increasing", () => {
  throws(() => numericBinning([1, 1]), RangeError);
  throws(() => numericBinning([2, 1]), RangeError);
});

Deno.test("a constant feature gets one bin for all values plus missing", () => {
  const b = fitNumericBinning([3, 3, 3, NaN]);
  deepEqual(b.labels, ["all values", MISSING_LABEL]);
  deepEqual(bucketOf(b, 3), 0);
  deepEqual(bucketOf(b, 99), 0);
  deepEqual(bucketOf(b, null), 1);
});

Deno.test("categorical buckets: one per level, then unseen, then missing", () => {
  const b = categoricalBinning(["owner", "rent"]);
  deepEqual(b.labels, ["owner", "rent", UNSEEN_LABEL, MISSING_LABEL]);
  deepEqual(bucketCount(b), 4);
  deepEqual(bucketOf(b, "owner"), 0);
  deepEqual(bucketOf(b, "rent"), 1);
  deepEqual(bucketOf(b, "mortgage"), 2);
  deepEqual(bucketOf(b, 1), 2); // an encoded index is not a level
  deepEqual(bucketOf(b, null), 3);
  deepEqual(bucketOf(b, undefined), 3);
  throws(() => categoricalBinning(["a", "a"]), RangeError);
});

Deno.test("fitted deciles of distinct values hold a tenth of the reference each", () => {
  const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000); // a permutation of 0..999
  const b = fitNumericBinning(values);
  const counts = new Array(bucketCount(b)).fill(0);
  for (const v of values) counts[bucketOf(b, v)]++;
  deepEqual(counts, [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0]);
});

Deno.test("property: every fitted bin holds reference data and values land between their edges", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 200 }),
      fc.integer({ min: 1, max: 20 }),
      (values, bins) => {
        const b = fitNumericBinning(values, { bins });
        const counts = new Array(bucketCount(b)).fill(0);
        for (const v of values) {
          const i = numericBucket(b, v);
          counts[i]++;
          if (i > 0 && !(v > b.edges[i - 1])) return false;
          if (i < b.edges.length && !(v <= b.edges[i])) return false;
        }
        return counts.slice(0, b.missingIndex).every((c) => c > 0) &&
          b.edges.length <= bins - 1;
      },
    ),
  );
});
