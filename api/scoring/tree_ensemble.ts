/**
 * The in-memory tree ensemble: the structure the learner produces, the ONNX
 * codec writes and reads, and reason codes (TreeSHAP) walk.
 *
 * Split convention (XGBoost's, ONNX `BRANCH_LT`): a row goes to `left` when
 * `x < threshold`, to `right` otherwise; a missing value (NaN) goes to `left`
 * when `missingLeft` is true. Thresholds are float32 values so that the ONNX
 * runtime, which compares float32 inputs, takes exactly the same branches.
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
}

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
export function goesLeft(v: number, threshold: number, missingLeft: boolean): boolean {
  return Number.isNaN(v) ? missingLeft : v < threshold;
}

/** Index of the leaf that row `x` reaches in `tree`. */
export function leafIndex(tree: Tree, x: ArrayLike<number>): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    const v = x[tree.feature[node]];
    node = goesLeft(v, tree.threshold[node], tree.missingLeft[node])
      ? tree.left[node]
      : tree.right[node];
  }
  return node;
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
