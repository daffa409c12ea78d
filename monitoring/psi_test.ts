import { deepEqual, equal, ok, throws } from "node:assert/strict";
import fc from "fast-check";
import { bucketCount, bucketOf, categoricalBinning, fitNumericBinning } from "./binning.ts";
import { psi, PSI_EPSILON, psiNoiseFloor, shares } from "./psi.ts";
import { seededRandom } from "./seeded_random.ts";

const close = (actual: number | null, expected: number, tol = 1e-12) =>
  ok(actual !== null && Math.abs(actual - expected) <= tol, `${actual} ≠ ${expected}`);

Deno.test("psi: hand-computed two-bucket example", () => {
  // q = (0.5, 0.5), p = (0.25, 0.75):
  // (0.25 − 0.5)·ln(0.25/0.5) + (0.75 − 0.5)·ln(0.75/0.5) = 0.25·(ln 2 + ln 1.5) = 0.25·ln 3
  close(psi([50, 50], [25, 75]), 0.25 * Math.log(3));
});

Deno.test("psi: an empty bucket on one side uses the epsilon share", () => {
  // q = (1, ε), p = (0.9, 0.1)
  const expected = (0.9 - 1) * Math.log(0.9 / 1) + (0.1 - 1e-4) * Math.log(0.1 / 1e-4);
  equal(PSI_EPSILON, 1e-4);
  close(psi([10, 0], [9, 1]), expected);
  close(psi([10, 0], [9, 1], { epsilon: 1e-3 }), -0.1 * Math.log(0.9) + 0.099 * Math.log(100));
});

Deno.test("psi: a bucket empty on both sides adds nothing", () => {
  close(psi([5, 5, 0], [3, 7, 0]), psi([5, 5], [3, 7]) as number);
});

Deno.test("psi: identical distributions give 0, whatever the sample sizes", () => {
  equal(psi([3, 1, 4, 1, 5], [3, 1, 4, 1, 5]), 0);
  close(psi([100, 200, 300], [1, 2, 3]), 0);
});

Deno.test("psi: undefined (null) when a side has no rows; mismatched buckets throw", () => {
  equal(psi([0, 0], [1, 2]), null);
  equal(psi([1, 2], [0, 0]), null);
  equal(psiNoiseFloor([1, 2], [0, 0]), null);
  throws(() => psi([1, 2], [1, 2, 3]), RangeError);
});

Deno.test("shares: counts over their total; zeros for an empty histogram", () => {
  deepEqual(shares([1, 3]), [0.25, 0.75]);
  deepEqual(shares([0, 0]), [0, 0]);
});

const histograms = fc.integer({ min: 1, max: 12 }).chain((k) =>
  fc.tuple(
    fc.array(fc.nat(1000), { minLength: k, maxLength: k }),
    fc.array(fc.nat(1000), { minLength: k, maxLength: k }),
  )
).filter(([a, b]) => a.some((x) => x > 0) && b.some((x) => x > 0));

Deno.test("property: psi is non-negative and symmetric", () => {
  fc.assert(fc.property(histograms, ([a, b]) => {
    const ab = psi(a, b) as number;
    const ba = psi(b, a) as number;
    return ab >= 0 && Math.abs(ab - ba) <= 1e-12 * Math.max(1, ab);
  }));
});

Deno.test("property: psi of a histogram with itself (any scale) is 0", () => {
  fc.assert(fc.property(histograms, fc.integer({ min: 1, max: 50 }), ([a], k) => {
    return Math.abs(psi(a, a.map((x) => x * k)) as number) <= 1e-12;
  }));
});

Deno.test("psiNoiseFloor: (B − 1)(1/N + 1/M) over buckets non-empty on either side", () => {
  // Buckets 0, 1 and 3 are non-empty somewhere: B = 3, N = 25, M = 2.
  close(psiNoiseFloor([10, 10, 0, 5], [1, 0, 0, 1]), 2 * (1 / 25 + 1 / 2));
  close(psiNoiseFloor([7], [3]), 0);
});

/** Mean PSI and mean formula floor over `reps` pairs of same-distribution samples. */
function simulate(
  reps: number,
  draw: () => { ref: number[]; prod: number[] },
): { meanPsi: number; meanFloor: number } {
  let sumPsi = 0;
  let sumFloor = 0;
  for (let r = 0; r < reps; r++) {
    const { ref, prod } = draw();
    sumPsi += psi(ref, prod) as number;
    sumFloor += psiNoiseFloor(ref, prod) as number;
  }
  return { meanPsi: sumPsi / reps, meanFloor: sumFloor / reps };
}

Deno.test("noise floor matches simulation: categorical, 6 levels, N = 2000, M = 500", () => {
  const rng = seededRandom(20240501);
  const probs = [0.35, 0.25, 0.15, 0.12, 0.08, 0.05];
  const cum = probs.map((_, i) => probs.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const levels = probs.map((_, i) => `l${i}`);
  const binning = categoricalBinning(levels);
  const sample = (n: number) => {
    const counts = new Array(bucketCount(binning)).fill(0);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      counts[bucketOf(binning, levels[cum.findIndex((c) => u < c)] ?? levels[5])]++;
    }
    return counts;
  };
  const { meanPsi, meanFloor } = simulate(400, () => ({ ref: sample(2000), prod: sample(500) }));
  close(meanFloor, 5 * (1 / 2000 + 1 / 500), 1e-12);
  ok(Math.abs(meanPsi / meanFloor - 1) < 0.2, `mean PSI ${meanPsi} vs floor ${meanFloor}`);
});

Deno.test("noise floor matches simulation: numeric deciles fitted on each reference", () => {
  const rng = seededRandom(7);
  // Skewed, income-like values with 8% missing.
  const value = () => (rng.next() < 0.08 ? NaN : Math.round(Math.exp(4 + rng.next() * 2)));
  const { meanPsi, meanFloor } = simulate(300, () => {
    const refValues = Array.from({ length: 3000 }, value);
    const binning = fitNumericBinning(refValues);
    const hist = (values: number[]) => {
      const counts = new Array(bucketCount(binning)).fill(0);
      for (const v of values) counts[bucketOf(binning, v)]++;
      return counts;
    };
    return { ref: hist(refValues), prod: hist(Array.from({ length: 1000 }, value)) };
  });
  ok(Math.abs(meanPsi / meanFloor - 1) < 0.2, `mean PSI ${meanPsi} vs floor ${meanFloor}`);
});
