/**
 * The in-memory tree ensemble: the structure the learner produces, the ONNX
 * codec writes and reads, and reason codes (TreeSHAP) walk.
 *
 * Split convention (XGBoost's, ONNX `BRANCH_LT`): a row goes to `left` when
 * `x < threshold`, to `right` otherwise; a missing value (NaN) goes to `left`
 * when `missingLeft` is true. Thresholds are float32 values so that the ONNX
 * runtime, which compares float32 inputs, takes exactly the same branches.
 *
 * Trees read from other exporters may use the other ONNX comparisons
 * (`BRANCH_LEQ` from LightGBM, …): `rule` then holds each node's comparison,
 * and the row goes left ("true" in ONNX) when `x <rule> threshold`, or when
 * `x` is NaN and `missingLeft` — onnxruntime's rule, so `NaN != t` goes left.
 *
 * @module
 */

/** One regression tree in flat arrays; node 0 is the root. */
export interface Tree {
  /** Split column per node, or -1 for a leaf. */
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  missingLeft: boolean[];
  /** Leaf value (log-odds contribution); 0 on internal nodes. */
  value: number[];
  /** Sum of hessians of the training rows that reached the node (TreeSHAP). */
  cover: number[];
  /** Comparison per node sending a row left; absent: `<` everywhere. */
  rule?: SplitRule[];
}

/** A tree with no node yet (builders push nodes into it). */
export function emptyTree(): Tree {
  return { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [], cover: [] };
}

/** The comparisons of ONNX tree splits (`BRANCH_LT` … `BRANCH_NEQ`). */
export type SplitRule = "<" | "<=" | ">" | ">=" | "==" | "!=";

/** A boosted ensemble: `logit(p) = baseScore + Σ tree(x)`. */
export interface TreeEnsemble {
  baseScore: number;
  nFeatures: number;
  trees: Tree[];
}

/**
 * The split rule: whether value `v` goes to the left child of a split on
 * `threshold` whose missing values go left iff `missingLeft`.
 */
export function goesLeft(
  v: number,
  threshold: number,
  missingLeft: boolean,
  rule: SplitRule = "<",
): boolean {
  if (rule === "<") return Number.isNaN(v) ? missingLeft : v < threshold;
  return compare(v, threshold, rule) || (missingLeft && Number.isNaN(v));
}

/** `v <rule> t` with IEEE semantics (every comparison with NaN is false, except `!=`). */
export function compare(v: number, t: number, rule: SplitRule): boolean {
  switch (rule) {
    case "<":
      return v < t;
    case "<=":
      return v <= t;
    case ">":
      return v > t;
    case ">=":
      return v >= t;
    case "==":
      return v === t;
    case "!=":
      return v !== t;
  }
}

/** Index of the leaf that row `x` reaches in `tree`. */
export function leafIndex(tree: Tree, x: ArrayLike<number>): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    const v = x[tree.feature[node]];
    node = goesLeft(v, tree.threshold[node], tree.missingLeft[node], tree.rule?.[node])
      ? tree.left[node]
      : tree.right[node];
  }
  return node;
}

/**
 * The same trees with every node's cover replaced by the number of rows of
 * `matrix` (row-major, `model.nFeatures` wide) that reach it: covers for
 * TreeSHAP when a model file carries none.
 */
export function withSampleCovers(model: TreeEnsemble, matrix: ArrayLike<number>): TreeEnsemble {
  const width = model.nFeatures;
  const n = matrix.length / width;
  const row = new Float64Array(width);
  const trees = model.trees.map((t) => ({ ...t, cover: new Array(t.feature.length).fill(0) }));
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < width; j++) row[j] = matrix[r * width + j];
    for (const tree of trees) {
      let node = 0;
      tree.cover[node]++;
      while (tree.feature[node] >= 0) {
        const v = row[tree.feature[node]];
        node = goesLeft(v, tree.threshold[node], tree.missingLeft[node], tree.rule?.[node])
          ? tree.left[node]
          : tree.right[node];
        tree.cover[node]++;
      }
    }
  }
  return { ...model, trees };
}

/** Raw score (log-odds) of one row. */
export function predictLogOdds(model: TreeEnsemble, x: ArrayLike<number>): number {
  let sum = model.baseScore;
  for (const tree of model.trees) sum += tree.value[leafIndex(tree, x)];
  return sum;
}

/** Logistic function, numerically safe at both tails. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Probability of the positive class for each row of a row-major matrix. */
export function predictProba(model: TreeEnsemble, matrix: Float32Array): Float64Array {
  const n = matrix.length / model.nFeatures;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const row = matrix.subarray(r * model.nFeatures, (r + 1) * model.nFeatures);
    out[r] = sigmoid(predictLogOdds(model, row));
  }
  return out;
}
