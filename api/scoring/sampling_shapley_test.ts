import assert from "node:assert/strict";
import fc from "fast-check";
import { createColumnEncoder, type Features } from "./feature_vector.ts";
import type { ColumnSpec, FeatureSpec } from "./model_meta.ts";
import {
  antitheticPermutations,
  evaluationsPerRow,
  samplingAttributor,
  toUnits,
} from "./sampling_shapley.ts";
import { sigmoid } from "./tree_ensemble.ts";

const num = (name: string): FeatureSpec => ({
  name,
  type: "numeric",
  min: 0,
  max: 1,
  median: 0,
  missing_rate: 0,
});
const FEATURES: FeatureSpec[] = [
  num("a"),
  { name: "b", type: "categorical", levels: ["x", "y", "z"], mode: "x", missing_rate: 0 },
  num("c"),
];
const COLUMNS: ColumnSpec[] = [
  { name: "b", level: "y" },
  { name: "a" },
  { name: "b", level: "z" },
  { name: "c" },
];
const encoder = createColumnEncoder({ features: FEATURES, columns: COLUMNS });
const W = [0.8, -1.5, 2, 0.25];
const B = -0.3;

/** A linear-logit model scored in float64, counting the rows it scores. */
function linearScorer() {
  const calls = { rows: 0 };
  const score = (m: Float32Array) => {
    const n = m.length / W.length;
    calls.rows += n;
    return Promise.resolve(Float64Array.from({ length: n }, (_, r) => {
      let z = B;
      for (let j = 0; j < W.length; j++) z += W[j] * m[r * W.length + j];
      return sigmoid(z);
    }));
  };
  return { score, calls };
}

const row = fc.record({
  a: fc.double({ min: -5, max: 5, noNaN: true }),
  b: fc.constantFrom("x", "y", "z"),
  c: fc.double({ min: -5, max: 5, noNaN: true }),
}) as fc.Arbitrary<Features>;

Deno.test("property: on a linear-logit model, sampling Shapley values are the exact ones", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(row, { minLength: 2, maxLength: 6 }), row, async (bg, x) => {
      const { score } = linearScorer();
      const attribute = samplingAttributor(
        {
          method: "sampling",
          units: "log_odds",
          permutations: 4,
          background_rows: bg.map((_, i) => i),
          seed: 1,
          evaluations_per_row: 1,
        },
        { encoder, features: 3, background: bg, score },
      );
      const { base, contributions } = await attribute([x]);
      // Exact interventional Shapley values of a linear model: w·(x − mean background),
      // one-hot columns summed into their feature.
      const enc = (r: Features) => encoder.encode([r]);
      const mean = new Float64Array(W.length);
      for (const b of bg) enc(b).forEach((v, j) => (mean[j] += v / bg.length));
      const xe = enc(x);
      const exact = [0, 0, 0];
      encoder.featureOfColumn.forEach((f, j) => (exact[f] += W[j] * (xe[j] - mean[j])));
      exact.forEach((e, f) =>
        assert.ok(Math.abs(contributions[f] - e) < 1e-9, `${f}: ${contributions[f]} vs ${e}`)
      );
      let logit = B;
      xe.forEach((v, j) => (logit += W[j] * v));
      const sum = contributions.reduce((s, c) => s + c, base);
      assert.ok(Math.abs(sum - logit) < 1e-9);
    }),
    { numRuns: 50 },
  );
});

Deno.test("sampling is additive on a model with interactions, costs what it says, and is deterministic", async () => {
  const bg: Features[] = [{ a: 0, b: "x", c: 0 }, { a: 1, b: "y", c: -1 }, { a: -2, b: "z", c: 3 }];
  let scored = 0;
  const score = (m: Float32Array) => {
    const n = m.length / 4;
    scored += n;
    return Promise.resolve(Float64Array.from({ length: n }, (_, r) => {
      const [y, a, z, c] = m.subarray(r * 4, r * 4 + 4);
      return sigmoid(a * c + (y - z) * a);
    }));
  };
  const spec = {
    method: "sampling" as const,
    units: "log_odds" as const,
    permutations: 6,
    background_rows: [0, 1, 2],
    seed: 7,
    evaluations_per_row: evaluationsPerRow(3, 6, 3),
  };
  const attribute = samplingAttributor(spec, { encoder, features: 3, background: bg, score });
  const x: Features = { a: 2, b: "y", c: 1.5 };
  const first = await attribute([x, x]);
  const baseline = scored - spec.evaluations_per_row * 2;
  assert.equal(baseline, 3, "the background rows are scored once");
  const p = sigmoid(2 * 1.5 + 2);
  const sum = Array.from(first.contributions.subarray(0, 3)).reduce((s, c) => s + c, first.base);
  assert.ok(Math.abs(sum - toUnits("log_odds", p)) < 1e-9);
  assert.deepEqual(first.contributions.subarray(0, 3), first.contributions.subarray(3, 6));
  const again = await samplingAttributor(spec, { encoder, features: 3, background: bg, score })([
    x,
  ]);
  assert.deepEqual(again.contributions, first.contributions.subarray(0, 3));
});

Deno.test("antithetic permutations: valid, reversed in pairs, seeded", () => {
  const perms = antitheticPermutations(5, 6, 3);
  assert.equal(perms.length, 6);
  for (const p of perms) assert.deepEqual([...p].sort(), [0, 1, 2, 3, 4]);
  for (let i = 0; i < 3; i++) assert.deepEqual(perms[i + 3], [...perms[i]].reverse());
  assert.deepEqual(antitheticPermutations(5, 6, 3), perms);
  assert.notDeepEqual(antitheticPermutations(5, 6, 4), perms);
  assert.equal(toUnits("log_odds", 0), Math.log(1e-9 / (1 - 1e-9)));
  assert.equal(toUnits("probability", 0.3), 0.3);
});
