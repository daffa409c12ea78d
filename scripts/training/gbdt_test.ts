import assert from "node:assert/strict";
import fc from "fast-check";
import { predictProba, sigmoid } from "../../api/scoring/tree_ensemble.ts";
import { logLoss, rocAuc } from "../../monitoring/classification_metrics.ts";
import { applyBins, fitBins } from "./binning.ts";
import { baseScore, type BinnedData, type GbdtParams, trainGbdt } from "./gbdt.ts";

const STUMP: GbdtParams = {
  nTrees: 1,
  learningRate: 1,
  maxDepth: 1,
  lambda: 0,
  gamma: 0,
  minChildWeight: 0,
  subsample: 1,
  seed: 1,
};

/** Bins a one-column (or wider) matrix of numeric features. */
function binned(matrix: number[][], labels: number[], maxBins = 256): BinnedData & {
  matrix: Float32Array;
} {
  const nFeatures = matrix[0].length;
  const flat = Float32Array.from(matrix.flat());
  const columns = fitBins(flat, { nFeatures, levelCounts: matrix[0].map(() => null), maxBins });
  return { binned: applyBins(flat, columns), labels, matrix: flat };
}

const close = (actual: number, expected: number, tol = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

Deno.test("a stump recovers the single split that separates the classes", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i);
  const data = binned(xs.map((x) => [x]), xs.map((x) => (x >= 60 ? 1 : 0)));
  const { ensemble } = trainGbdt(data, STUMP);
  const [tree] = ensemble.trees;
  assert.equal(tree.feature[0], 0);
  assert.ok(tree.threshold[0] > 59 && tree.threshold[0] <= 60, `threshold ${tree.threshold[0]}`);
  assert.ok(tree.value[tree.left[0]] < 0 && tree.value[tree.right[0]] > 0);
  const p = predictProba(ensemble, data.matrix);
  assert.equal(rocAuc({ labels: data.labels, scores: p }), 1);
});

Deno.test("the stump picks the informative feature among noise", () => {
  const rows = Array.from({ length: 200 }, (_, i) => [(i * 37) % 11, i % 2, (i * 7) % 13]);
  const labels = rows.map(([, b]) => b);
  const { ensemble } = trainGbdt(binned(rows, labels), STUMP);
  assert.equal(ensemble.trees[0].feature[0], 1);
});

Deno.test("missing values are routed to the side whose labels they share", () => {
  const xs = Array.from({ length: 120 }, (_, i) => (i % 4 === 0 ? NaN : i));
  // Missing rows are positive, like the high values: NaN must go right.
  const high = binned(xs.map((x) => [x]), xs.map((x) => (Number.isNaN(x) || x >= 50 ? 1 : 0)));
  const right = trainGbdt(high, STUMP).ensemble.trees[0];
  assert.equal(right.missingLeft[0], false);
  assert.ok(right.threshold[0] > 49 && right.threshold[0] <= 50);
  // Missing rows are positive, like the low values: NaN must go left.
  const low = binned(xs.map((x) => [x]), xs.map((x) => (Number.isNaN(x) || x < 50 ? 1 : 0)));
  const left = trainGbdt(low, STUMP).ensemble.trees[0];
  assert.equal(left.missingLeft[0], true);
  for (const data of [high, low]) {
    const { ensemble } = trainGbdt(data, STUMP);
    assert.equal(rocAuc({ labels: data.labels, scores: predictProba(ensemble, data.matrix) }), 1);
  }
});

Deno.test("a split can separate missing from present values", () => {
  const xs = Array.from({ length: 90 }, (_, i) => (i % 3 === 0 ? NaN : i));
  const data = binned(xs.map((x) => [x]), xs.map((x) => (Number.isNaN(x) ? 1 : 0)));
  const { ensemble } = trainGbdt(data, STUMP);
  const tree = ensemble.trees[0];
  assert.equal(tree.threshold[0], -Infinity);
  assert.equal(tree.missingLeft[0], true);
  assert.ok(tree.value[tree.left[0]] > 0 && tree.value[tree.right[0]] < 0);
  assert.equal(rocAuc({ labels: data.labels, scores: predictProba(ensemble, data.matrix) }), 1);
});

Deno.test("leaf values equal −G / (H + λ) × learning rate on a tiny case", () => {
  // x = 0: labels 0, 1; x = 1: labels 1, 1, 0. Base probability 3/5.
  const data = binned([[0], [0], [1], [1], [1]], [0, 1, 1, 1, 0]);
  for (const lambda of [0, 1, 10]) {
    const params = { ...STUMP, lambda, learningRate: 0.3 };
    const { ensemble } = trainGbdt(data, params);
    const p = sigmoid(ensemble.baseScore);
    close(p, 0.6);
    const tree = ensemble.trees[0];
    assert.equal(tree.threshold[0], 0.5);
    const expected = (g: number, h: number) => (-g / (h + lambda)) * 0.3;
    // left: g = (p − 0) + (p − 1), h = 2 p (1 − p); right: g = 2 (p − 1) + p, h = 3 p (1 − p)
    close(tree.value[tree.left[0]], expected(2 * p - 1, 2 * p * (1 - p)));
    close(tree.value[tree.right[0]], expected(3 * p - 2, 3 * p * (1 - p)));
    close(tree.cover[0], 5 * p * (1 - p));
    close(tree.cover[tree.left[0]] + tree.cover[tree.right[0]], tree.cover[0], 1e-12);
  }
});

Deno.test("a larger L2 penalty shrinks every leaf of the same split", () => {
  const xs = Array.from({ length: 60 }, (_, i) => i);
  const data = binned(xs.map((x) => [x]), xs.map((x) => (x % 7 === 0 || x > 40 ? 1 : 0)));
  const loose = trainGbdt(data, { ...STUMP, lambda: 0 }).ensemble.trees[0];
  const tight = trainGbdt(data, { ...STUMP, lambda: 20 }).ensemble.trees[0];
  assert.deepEqual(tight.threshold, loose.threshold);
  for (const leaf of [loose.left[0], loose.right[0]]) {
    assert.ok(Math.abs(tight.value[leaf]) < Math.abs(loose.value[leaf]) / 2, `leaf ${leaf}`);
  }
});

Deno.test("gamma and min_child_weight prevent weak or thin splits", () => {
  const xs = Array.from({ length: 40 }, (_, i) => i);
  const data = binned(xs.map((x) => [x]), xs.map((x) => (x >= 20 ? 1 : 0)));
  assert.equal(trainGbdt(data, { ...STUMP, gamma: 1e6 }).ensemble.trees[0].feature[0], -1);
  const heavy = { ...STUMP, minChildWeight: 40 * 0.25 / 2 + 1 }; // more than half the hessian
  assert.equal(trainGbdt(data, heavy).ensemble.trees[0].feature[0], -1);
});

Deno.test("early stopping keeps the trees with the best validation loss", () => {
  // Noisy labels: boosting overfits the training rows, validation loss turns up.
  const rows = Array.from({ length: 400 }, (_, i) => [(i * 7919) % 400, (i * 104729) % 97]);
  const labels = rows.map(([a, b], i) => ((a > 200) !== (i % 5 === 0) || b % 17 === 0 ? 1 : 0));
  const train = binned(rows.slice(0, 300), labels.slice(0, 300));
  const flat = Float32Array.from(rows.slice(300).flat());
  const valid = { binned: applyBins(flat, train.binned.columns), labels: labels.slice(300) };
  const params = { ...STUMP, nTrees: 300, maxDepth: 4, learningRate: 0.3 };
  const result = trainGbdt(train, params, { validation: valid, earlyStoppingRounds: 20 });
  const kept = result.ensemble.trees.length;
  const losses = result.validationLoss;
  assert.ok(losses.length < 300, "stopped early");
  assert.equal(losses.length, kept + 20);
  assert.equal(Math.min(...losses), losses[kept - 1]);
  // The float-threshold ensemble scores the validation rows exactly as boosting did.
  close(
    logLoss({ labels: valid.labels, scores: predictProba(result.ensemble, flat) }),
    losses[kept - 1],
    1e-12,
  );
});

Deno.test("binned routing during training equals threshold routing (property)", () => {
  const value = fc.oneof(
    { weight: 1, arbitrary: fc.constant(NaN) },
    { weight: 5, arbitrary: fc.integer({ min: -50, max: 50 }).map((v) => v / 4) },
  );
  const row = fc.tuple(value, value, fc.integer({ min: 0, max: 1 }));
  fc.assert(
    fc.property(
      fc.array(row, { minLength: 4, maxLength: 60 }),
      fc.integer({ min: 2, max: 8 }),
      (rows, maxBins) => {
        const data = binned(rows.map(([a, b]) => [a, b]), rows.map(([, , y]) => y), maxBins);
        const valid = { binned: data.binned, labels: data.labels };
        const params = { ...STUMP, nTrees: 5, maxDepth: 3, learningRate: 0.5, lambda: 1 };
        // With the training rows as validation set, validationLoss records the loss of
        // the bin-routed scores after every tree; without it, all trees are kept.
        const result = trainGbdt(data, params, { validation: valid });
        const last = result.validationLoss.length - 1;
        const ensemble = trainGbdt(data, params).ensemble;
        const p = predictProba(ensemble, data.matrix);
        close(logLoss({ labels: data.labels, scores: p }), result.validationLoss[last], 1e-12);
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("row subsampling is seeded: same seed, same trees; other seed, other trees", () => {
  const rows = Array.from({ length: 300 }, (_, i) => [(i * 31) % 100, (i * 17) % 7]);
  const data = binned(rows, rows.map(([a, b]) => (a + 10 * b > 80 ? 1 : 0)));
  const params = { ...STUMP, nTrees: 10, maxDepth: 2, learningRate: 0.3, subsample: 0.5 };
  const a = JSON.stringify(trainGbdt(data, params).ensemble);
  assert.equal(JSON.stringify(trainGbdt(data, params).ensemble), a);
  assert.notEqual(JSON.stringify(trainGbdt(data, { ...params, seed: 2 }).ensemble), a);
});

Deno.test("boosting fits a non-linear pattern and thresholds/leaves are float32", () => {
  const rows = Array.from({ length: 500 }, (_, i) => [((i * 7919) % 1000) / 10.3, (i * 613) % 97]);
  const labels = rows.map(([a, b]) => ((a > 50) !== (b > 48) ? 1 : 0)); // XOR: needs depth 2
  const data = binned(rows, labels);
  const params = { ...STUMP, nTrees: 50, maxDepth: 2, learningRate: 0.3, lambda: 1 };
  const { ensemble } = trainGbdt(data, params);
  assert.ok(rocAuc({ labels, scores: predictProba(ensemble, data.matrix) }) > 0.99);
  assert.equal(ensemble.baseScore, Math.fround(ensemble.baseScore));
  close(sigmoid(baseScore(labels)), labels.filter((y) => y === 1).length / labels.length);
  for (const tree of ensemble.trees) {
    tree.threshold.forEach((t) => assert.equal(t, Math.fround(t)));
    tree.value.forEach((v) => assert.equal(v, Math.fround(v)));
  }
});
