import { strict as assert } from "node:assert";
import fc from "fast-check";
import { median, quantileSorted, summariseLatencies } from "./latency_summary.ts";

Deno.test("quantileSorted interpolates between order statistics", () => {
  const xs = [10, 20, 30, 40];
  assert.equal(quantileSorted(xs, 0), 10);
  assert.equal(quantileSorted(xs, 1), 40);
  // position (4 - 1) · 0.5 = 1.5: halfway between 20 and 30
  assert.equal(quantileSorted(xs, 0.5), 25);
  // position 3 · 0.9 = 2.7: 30 + 0.7 · 10
  assert.ok(Math.abs(quantileSorted(xs, 0.9) - 37) < 1e-12);
  assert.ok(Number.isNaN(quantileSorted([], 0.5)));
  assert.throws(() => quantileSorted(xs, 1.5), RangeError);
});

Deno.test("median of an odd count is the middle value, in any input order", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

Deno.test("summariseLatencies: empty input has no summary", () => {
  assert.equal(summariseLatencies([]), null);
});

Deno.test("summariseLatencies: ordered statistics and a mean inside [min, max]", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 200 }),
      (samples) => {
        const s = summariseLatencies(samples)!;
        assert.equal(s.n, samples.length);
        assert.equal(s.min, Math.min(...samples));
        assert.equal(s.max, Math.max(...samples));
        assert.ok(s.min <= s.p50 && s.p50 <= s.p95 && s.p95 <= s.p99 && s.p99 <= s.max);
        assert.ok(s.mean >= s.min - 1e-9 && s.mean <= s.max + 1e-9);
        // Below p50 lie at most half the samples (strictly below), at least half at or below.
        const below = samples.filter((x) => x < s.p50).length;
        const atOrBelow = samples.filter((x) => x <= s.p50).length;
        assert.ok(below <= samples.length / 2 && atOrBelow >= samples.length / 2);
      },
    ),
  );
});

Deno.test("summariseLatencies does not reorder the caller's array", () => {
  const samples = [3, 1, 2];
  summariseLatencies(samples);
  assert.deepEqual(samples, [3, 1, 2]);
});
