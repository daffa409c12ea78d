import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import fc from "fast-check";
import { FIXTURE_ENSEMBLE, FIXTURE_FEATURES } from "../testing/fixture_model.ts";
import { readCsvFile, tableToFeatures } from "./feature_csv.ts";
import { encodeRows } from "./feature_vector.ts";
import { parseModelMeta } from "./model_meta.ts";
import { decodeEnsemble, encodeEnsemble } from "./onnx_tree_codec.ts";
import { emptyTree, predictLogOdds, type Tree, type TreeEnsemble } from "./tree_ensemble.ts";
import { createTreeShap } from "./tree_shap.ts";

const close = (actual: number, expected: number, tol: number, what = "") =>
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what} ${actual} is not within ${tol} of ${expected}`,
  );

// ---------------------------------------------------------------------------
// Oracle: exact Shapley values by enumerating coalitions of the game TreeSHAP
// explains. v(S) = baseScore + Σ trees E[tree | x_S]: at a split on a feature
// in S the row follows its own branch (NaN → default direction), otherwise
// both children are averaged with weights cover[child] / (cover[l] + cover[r]).
// Written independently of tree_shap.ts (recursive, no path bookkeeping).
// ---------------------------------------------------------------------------

function conditional(tree: Tree, node: number, x: ArrayLike<number>, known: Set<number>): number {
  const f = tree.feature[node];
  if (f < 0) return tree.value[node];
  const l = tree.left[node];
  const r = tree.right[node];
  if (known.has(f)) {
    const v = x[f];
    const left = Number.isNaN(v) ? tree.missingLeft[node] : v < tree.threshold[node];
    return conditional(tree, left ? l : r, x, known);
  }
  const cl = tree.cover[l];
  const cr = tree.cover[r];
  const [wl, wr] = cl + cr > 0 ? [cl / (cl + cr), cr / (cl + cr)] : [0.5, 0.5];
  return wl * conditional(tree, l, x, known) + wr * conditional(tree, r, x, known);
}

function gameValue(model: TreeEnsemble, x: ArrayLike<number>, known: Set<number>): number {
  return model.trees.reduce((s, t) => s + conditional(t, 0, x, known), model.baseScore);
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

/** φ_i = Σ_{S ⊆ U∖{i}} |S|!(|U|−|S|−1)!/|U|! · (v(S ∪ {i}) − v(S)), U = used features. */
function bruteForceShap(model: TreeEnsemble, x: ArrayLike<number>): Float64Array {
  const used = [...new Set(model.trees.flatMap((t) => t.feature.filter((f) => f >= 0)))];
  const phi = new Float64Array(model.nFeatures);
  const n = used.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    const s = new Set(used.filter((_, k) => mask & (1 << k)));
    const vs = gameValue(model, x, s);
    const weight = (factorial(s.size) * factorial(n - s.size - 1)) / factorial(n);
    used.forEach((f, k) => {
      if (mask & (1 << k)) return;
      phi[f] += weight * (gameValue(model, x, new Set([...s, f])) - vs);
    });
  }
  return phi;
}

// ---------------------------------------------------------------------------
// Hand-built model: 3 columns (x0, x1, x2; x2 is never used), base score -1.
//
// Tree A (depth 2):        node0: x0 < 0.5 (missing → right), cover 10
//                          ├─ node1: x1 < 0.5 (missing → left), cover 6
//                          │   ├─ node3 leaf +1, cover 2
//                          │   └─ node4 leaf −1, cover 4
//                          └─ node2 leaf +2, cover 4
// Tree B (stump):          node0: x1 < 0.5 (missing → right), cover 10
//                          ├─ node1 leaf +0.5, cover 8
//                          └─ node2 leaf −2,   cover 2
//
// E[A] = 0.2·1 + 0.4·(−1) + 0.4·2 = 0.6;  E[B] = 0.8·0.5 + 0.2·(−2) = 0;
// base value = −1 + 0.6 + 0 = −0.4.
//
// Row x = (0, 1, 7): A goes left then right (−1), B goes right (−2).
//   Tree A: v(∅) = 3/5; v({0}) = (2/6)·1 + (4/6)·(−1) = −1/3;
//           v({1}) = 0.6·(−1) + 0.4·2 = 1/5; v({0,1}) = −1.
//           φ0 = ½[(v0 − v∅) + (v01 − v1)] = ½[−14/15 − 18/15] = −16/15
//           φ1 = ½[(v1 − v∅) + (v01 − v0)] = ½[−6/15 − 10/15] = −8/15
//   Tree B: only x1: φ1 = f − E = −2 − 0 = −2.
//   Total: φ = (−16/15, −38/15, 0); check: −0.4 − 16/15 − 38/15 = −4 = −1 − 1 − 2.
//
// Row y = (NaN, 0, 5): A: x0 missing → right (+2); B: x1 = 0 → left (+0.5).
//   Tree A: v(∅) = 3/5; v({0}) = 2; v({1}) = 0.6·1 + 0.4·2 = 7/5; v({0,1}) = 2.
//           φ0 = ½[(2 − 3/5) + (2 − 7/5)] = 1;  φ1 = ½[(7/5 − 3/5) + (2 − 2)] = 2/5
//   Tree B: φ1 = 0.5 − 0 = 1/2.
//   Total: φ = (1, 9/10, 0); check: −0.4 + 1 + 0.9 = 1.5 = −1 + 2 + 0.5.
// ---------------------------------------------------------------------------

const HAND_MODEL: TreeEnsemble = {
  baseScore: -1,
  nFeatures: 3,
  trees: [
    {
      feature: [0, 1, -1, -1, -1],
      threshold: [0.5, 0.5, 0, 0, 0],
      left: [1, 3, -1, -1, -1],
      right: [2, 4, -1, -1, -1],
      missingLeft: [false, true, false, false, false],
      value: [0, 0, 2, 1, -1],
      cover: [10, 6, 4, 2, 4],
    },
    {
      feature: [1, -1, -1],
      threshold: [0.5, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      missingLeft: [false, false, false],
      value: [0, 0.5, -2],
      cover: [10, 8, 2],
    },
  ],
};

Deno.test("hand-built two-tree model: contributions equal the hand computation", () => {
  const shap = createTreeShap(HAND_MODEL);
  close(shap.expectedValue, -0.4, 1e-12, "base value");
  const cases: [number[], number[]][] = [
    [[0, 1, 7], [-16 / 15, -38 / 15, 0]],
    [[NaN, 0, 5], [1, 9 / 10, 0]],
  ];
  for (const [row, expected] of cases) {
    const phi = shap.explainRow(row);
    expected.forEach((e, j) => close(phi[j], e, 1e-12, `row ${row} feature ${j}`));
    const oracle = bruteForceShap(HAND_MODEL, row);
    expected.forEach((e, j) => close(oracle[j], e, 1e-12, `oracle row ${row} feature ${j}`));
  }
});

Deno.test("a split repeated on a path: matches the coalition oracle", () => {
  // x0 splits at the root and again below, x1 in between: exercises UNWIND.
  const model: TreeEnsemble = {
    baseScore: 0.25,
    nFeatures: 2,
    trees: [{
      feature: [0, 1, -1, 0, -1, -1, -1],
      threshold: [0.7, 0.5, 0, 0.3, 0, 0, 0],
      left: [1, 3, -1, 5, -1, -1, -1],
      right: [2, 4, -1, 6, -1, -1, -1],
      missingLeft: [true, false, false, true, false, false, false],
      value: [0, 0, 3, 0, -1, 2, -0.5],
      cover: [20, 14, 6, 9, 5, 4, 5],
    }],
  };
  const shap = createTreeShap(model);
  for (const row of [[0.1, 0.1], [0.5, 0.9], [NaN, 0.1], [0.9, NaN], [NaN, NaN]]) {
    const phi = shap.explainRow(row);
    const oracle = bruteForceShap(model, row);
    for (let j = 0; j < 2; j++) close(phi[j], oracle[j], 1e-12, `row ${row} feature ${j}`);
  }
});

Deno.test("fixture model: matches the oracle and adds up to the log-odds", () => {
  const shap = createTreeShap(FIXTURE_ENSEMBLE);
  const col = (name: string) => FIXTURE_FEATURES.findIndex((f) => f.name === name);
  const row = new Array(FIXTURE_FEATURES.length).fill(0);
  row[col("Records")] = 1; // yes: +1 relative to the cover-weighted mean
  row[col("Income")] = NaN; // missing goes left (low income)
  row[col("Seniority")] = 10;
  const phi = shap.explainRow(row);
  const oracle = bruteForceShap(FIXTURE_ENSEMBLE, row);
  phi.forEach((p, j) => close(p, oracle[j], 1e-12, FIXTURE_FEATURES[j].name));
  // Stump with covers 60/40: φ = leaf − (0.6·left + 0.4·right).
  close(phi[col("Records")], 1 - 0.4 * 1, 1e-6, "Records");
  close(phi[col("Income")], 0.75 - 0.6 * 0.75, 1e-6, "Income");
  close(phi[col("Seniority")], 0 - 0.6 * 0.5, 1e-6, "Seniority");
  const sum = phi.reduce((s, p) => s + p, shap.expectedValue);
  close(sum, predictLogOdds(FIXTURE_ENSEMBLE, row), 1e-12, "additivity");
});

Deno.test("explainMatrix equals explainRow per row; leaf-only trees go to the base value", () => {
  const model: TreeEnsemble = {
    ...HAND_MODEL,
    trees: [...HAND_MODEL.trees, {
      feature: [-1],
      threshold: [0],
      left: [-1],
      right: [-1],
      missingLeft: [false],
      value: [0.3],
      cover: [10],
    }],
  };
  const shap = createTreeShap(model);
  close(shap.expectedValue, -0.4 + 0.3, 1e-12, "base value");
  const matrix = new Float32Array([0, 1, 7, NaN, 0, 5]);
  const all = shap.explainMatrix(matrix);
  assert.deepEqual([...all.subarray(0, 3)], [...shap.explainRow([0, 1, 7])]);
  assert.deepEqual([...all.subarray(3, 6)], [...shap.explainRow([NaN, 0, 5])]);
  assert.throws(() => shap.explainMatrix(new Float32Array(4)), RangeError);
  assert.throws(() => shap.explainRow([1, 2]), RangeError);
});

Deno.test("malformed trees are refused", () => {
  const bad = (patch: Partial<Tree>) => ({
    ...HAND_MODEL,
    trees: [{ ...HAND_MODEL.trees[1], ...patch }],
  });
  assert.throws(() => createTreeShap(bad({ feature: [5, -1, -1] })), /feature 5/);
  assert.throws(() => createTreeShap(bad({ left: [9, -1, -1] })), /out of range/);
  assert.throws(() => createTreeShap(bad({ left: [0, -1, -1] })), /cycle/);
  assert.throws(() => createTreeShap(bad({ cover: [10, -1, 2] })), /cover/);
});

// ---------------------------------------------------------------------------
// Random small ensembles. Splits use columns 0 … nFeatures−2 only, so the last
// column is never used. Leaf covers may be 0 (a cold branch with no weight).
// ---------------------------------------------------------------------------

type Node =
  | { leaf: true; value: number; cover: number }
  | {
    leaf: false;
    feature: number;
    threshold: number;
    missingLeft: boolean;
    left: Node;
    right: Node;
  };

const THRESHOLDS = [0.25, 0.5, 0.75];
const ROW_VALUES = [NaN, 0, 0.25, 0.3, 0.6, 1];

function nodeArb(usedFeatures: number, depth: number): fc.Arbitrary<Node> {
  const leaf: fc.Arbitrary<Node> = fc.record({
    leaf: fc.constant(true as const),
    value: fc.double({ min: -3, max: 3, noNaN: true }),
    cover: fc.integer({ min: 0, max: 20 }),
  });
  if (depth === 0) return leaf;
  const split: fc.Arbitrary<Node> = fc.record({
    leaf: fc.constant(false as const),
    feature: fc.integer({ min: 0, max: usedFeatures - 1 }),
    threshold: fc.constantFrom(...THRESHOLDS),
    missingLeft: fc.boolean(),
    left: nodeArb(usedFeatures, depth - 1),
    right: nodeArb(usedFeatures, depth - 1),
  });
  return fc.oneof({ weight: 1, arbitrary: leaf }, { weight: 3, arbitrary: split });
}

/** Flattens a node tree; an internal cover is the sum of its children's. */
function flatten(root: Node): Tree {
  const t: Tree = emptyTree();
  const add = (node: Node): number => {
    const id = t.feature.length;
    t.feature.push(-1);
    t.threshold.push(0);
    t.left.push(-1);
    t.right.push(-1);
    t.missingLeft.push(false);
    t.value.push(0);
    t.cover.push(0);
    if (node.leaf) {
      t.value[id] = node.value;
      t.cover[id] = node.cover;
      return id;
    }
    const l = add(node.left);
    const r = add(node.right);
    t.feature[id] = node.feature;
    t.threshold[id] = node.threshold;
    t.missingLeft[id] = node.missingLeft;
    t.left[id] = l;
    t.right[id] = r;
    t.cover[id] = t.cover[l] + t.cover[r];
    return id;
  };
  add(root);
  return t;
}

const caseArb = fc.integer({ min: 2, max: 5 }).chain((nFeatures) =>
  fc.record({
    model: fc.record({
      baseScore: fc.double({ min: -2, max: 2, noNaN: true }),
      nFeatures: fc.constant(nFeatures),
      trees: fc.array(nodeArb(nFeatures - 1, 4).map(flatten), { minLength: 1, maxLength: 3 }),
    }),
    rows: fc.array(
      fc.array(fc.constantFrom(...ROW_VALUES), { minLength: nFeatures, maxLength: nFeatures }),
      { minLength: 1, maxLength: 4 },
    ),
  })
);

Deno.test("property: random ensembles match the coalition oracle, add up, ignore unused columns", () => {
  fc.assert(
    fc.property(caseArb, ({ model, rows }) => {
      const shap = createTreeShap(model);
      for (const row of rows) {
        const phi = shap.explainRow(row);
        const oracle = bruteForceShap(model, row);
        phi.forEach((p, j) => close(p, oracle[j], 1e-9, `feature ${j}`));
        const sum = phi.reduce((s, p) => s + p, shap.expectedValue);
        close(sum, predictLogOdds(model, row), 1e-9, "additivity");
        assert.equal(phi[model.nFeatures - 1], 0, "unused column");
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: covers that do not add up (float32 rounding) keep additivity", () => {
  fc.assert(
    fc.property(caseArb, fc.double({ min: 0.5, max: 2, noNaN: true }), ({ model, rows }, k) => {
      // Scale internal covers so that children no longer sum to their parent.
      const skewed = {
        ...model,
        trees: model.trees.map((t) => ({
          ...t,
          cover: t.cover.map((c, i) => (t.feature[i] >= 0 ? c * k : Math.fround(c + 0.1))),
        })),
      };
      const shap = createTreeShap(skewed);
      for (const row of rows) {
        const sum = shap.explainRow(row).reduce((s, p) => s + p, shap.expectedValue);
        close(sum, predictLogOdds(skewed, row), 1e-9, "additivity");
      }
    }),
    { numRuns: 100 },
  );
});

Deno.test("property: a missing value explains like the value its default direction stands for", () => {
  // With every split sending missing values left, NaN is routed like −1 (below
  // every threshold) at every split, and so must be explained identically; with
  // every split sending them right, like +2.
  fc.assert(
    fc.property(caseArb, fc.boolean(), ({ model, rows }, missingLeft) => {
      const routed = {
        ...model,
        trees: model.trees.map((t) => ({
          ...t,
          missingLeft: t.missingLeft.map(() => missingLeft),
        })),
      };
      const shap = createTreeShap(routed);
      const stand = missingLeft ? -1 : 2;
      for (const row of rows) {
        const filled = row.map((v) => (Number.isNaN(v) ? stand : v));
        assert.deepEqual([...shap.explainRow(row)], [...shap.explainRow(filled)]);
      }
    }),
    { numRuns: 200 },
  );
});

Deno.test("ONNX round trip: decoded trees explain like the original", () => {
  const shap = createTreeShap(decodeEnsemble(encodeEnsemble(HAND_MODEL)));
  const phi = shap.explainRow([0, 1, 7]);
  [-16 / 15, -38 / 15, 0].forEach((e, j) => close(phi[j], e, 1e-6, `feature ${j}`));
});

// ---------------------------------------------------------------------------
// The real model (skipped until `deno task train` has written artifacts/).
// ---------------------------------------------------------------------------

const ARTIFACTS = new URL("../../artifacts/", import.meta.url);
const TEST_CSV = new URL("../../data/credit_data/test.csv", import.meta.url);
const haveModel = existsSync(new URL("model.onnx", ARTIFACTS)) &&
  existsSync(new URL("model_meta.json", ARTIFACTS));

Deno.test({
  name: "real model: base + Σ contributions = log-odds on every row of test.csv",
  ignore: !haveModel,
  fn: async () => {
    const meta = parseModelMeta(
      JSON.parse(await Deno.readTextFile(new URL("model_meta.json", ARTIFACTS))),
      "model_meta.json",
    );
    const model = decodeEnsemble(await Deno.readFile(new URL(meta.onnx.file, ARTIFACTS)));
    const table = await readCsvFile(TEST_CSV.pathname);
    const matrix = encodeRows(meta.features, tableToFeatures(table, meta.features));
    const shap = createTreeShap(model);
    const contributions = shap.explainMatrix(matrix);
    const width = meta.features.length;
    assert.equal(model.nFeatures, width);
    let worst = 0;
    for (let r = 0; r < table.records.length; r++) {
      const row = matrix.subarray(r * width, (r + 1) * width);
      const phi = contributions.subarray(r * width, (r + 1) * width);
      const sum = phi.reduce((s, p) => s + p, shap.expectedValue);
      worst = Math.max(worst, Math.abs(sum - predictLogOdds(model, row)));
    }
    assert.ok(worst <= 1e-6, `largest additivity error ${worst}`);
  },
});
