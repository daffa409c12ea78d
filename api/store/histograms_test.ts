import assert from "node:assert/strict";
import fc from "fast-check";
import {
  LATENCY_BOUNDS_MS,
  LATENCY_BUCKET_COUNT,
  latencyBucket,
  latencyQuantile,
  SCORE_BIN_COUNT,
  SCORE_BIN_EDGES,
  scoreBin,
  scoreBinCounts,
} from "./histograms.ts";

Deno.test("scoreBin: each edge opens its bin, the extremes stay in the end bins", () => {
  SCORE_BIN_EDGES.forEach((edge, i) => {
    assert.equal(scoreBin(edge), i + 1);
    assert.equal(scoreBin(edge - 1e-12), i);
  });
  assert.equal(scoreBin(0), 0);
  assert.equal(scoreBin(-1), 0);
  assert.equal(scoreBin(1), SCORE_BIN_COUNT - 1);
});

Deno.test("scoreBin: bins are monotone and the counts add up", () => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 200 }), (ps) => {
      const counts = scoreBinCounts(ps);
      assert.equal(counts.reduce((a, b) => a + b, 0), ps.length);
      const sorted = [...ps].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) {
        assert.ok(scoreBin(sorted[i - 1]) <= scoreBin(sorted[i]));
      }
    }),
  );
});

Deno.test("latencyBucket: bounds are inclusive upper edges", () => {
  LATENCY_BOUNDS_MS.forEach((bound, i) => {
    assert.equal(latencyBucket(bound), i);
    assert.equal(latencyBucket(bound + 1e-9), i + 1);
  });
  assert.equal(latencyBucket(0), 0);
  assert.equal(latencyBucket(1e9), LATENCY_BUCKET_COUNT - 1);
});

Deno.test("latencyQuantile lies in the bucket of the exact quantile", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 20_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
      fc.double({ min: 0.01, max: 1, noNaN: true }),
      (samples, q) => {
        const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
        for (const s of samples) counts[latencyBucket(s)]++;
        const sorted = [...samples].sort((a, b) => a - b);
        const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
        const max = sorted[sorted.length - 1];
        const est = latencyQuantile(counts, q, max)!;
        const k = latencyBucket(exact);
        const lower = k === 0 ? 0 : LATENCY_BOUNDS_MS[k - 1];
        const upper = k < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[k] : Infinity;
        assert.ok(est >= lower && est <= upper, `${est} not in [${lower}, ${upper}]`);
        assert.ok(est <= max);
      },
    ),
  );
});

Deno.test("latencyQuantile: null without counts, monotone in q", () => {
  assert.equal(latencyQuantile(new Array(LATENCY_BUCKET_COUNT).fill(0), 0.5), null);
  const counts = [5, 0, 3, 9, 0, 0, 1, 0, 2, 0, 0, 0, 1];
  let last = -Infinity;
  for (const q of [0.1, 0.5, 0.9, 0.95, 0.99, 1]) {
    const v = latencyQuantile(counts, q)!;
    assert.ok(v >= last);
    last = v;
  }
});
