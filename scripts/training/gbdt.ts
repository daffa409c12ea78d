/**
 * Gradient-boosted decision trees for binary classification (log loss),
 * written here because no maintained GBDT library runs in Deno: the npm
 * `xgboost`/`lightgbm` packages are native addons Deno cannot load, and
 * `ml-xgboost` is an unmaintained 2018 emscripten build. The algorithm is
 * XGBoost's "hist" method, kept small:
 *
 * - each tree fits a second-order (Newton) approximation of the loss:
 *   gradients `g = p − y`, hessians `h = p(1 − p)`;
 * - a leaf's value is `−G / (H + λ)` times the learning rate (L2 penalty λ);
 * - splits are searched over histogram bins (`binning.ts`) with gain
 *   `½ [G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)] − γ`, children need at least
 *   `minChildWeight` hessian;
 * - each split learns where missing values go: both sides are tried and the
 *   better one kept (with no missing rows at a node, they follow the heavier
 *   child); a split may also separate "missing" from "present";
 * - trees grow depth-wise to `maxDepth`; each tree sees a seeded Bernoulli
 *   row sample (`subsample`, pure-rand Mersenne Twister);
 * - optional early stopping on a validation set: boosting stops after
 *   `earlyStoppingRounds` trees without a better validation log loss, and the
 *   ensemble is cut back to its best length.
 *
 * The result is the shared {@link TreeEnsemble}: thresholds, leaf values and
 * the base score are float32 (`Math.fround`) so the ONNX runtime takes the
 * same branches and sums the same values; `cover` holds hessian sums of the
 * rows that built each node (TreeSHAP needs them).
 *
 * @module
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { mersenne } from "pure-rand/generator/mersenne";
import {
  emptyTree,
  sigmoid,
  type Tree,
  type TreeEnsemble,
} from "../../api/scoring/tree_ensemble.ts";
import { logLoss } from "../../monitoring/classification_metrics.ts";
import { type BinnedMatrix, missingBin, valueBins } from "./binning.ts";

/** Hyper-parameters of the booster (XGBoost's names in comments). */
export interface GbdtParams {
  /** Most trees to grow (`n_estimators`). */
  nTrees: number;
  /** Shrinkage applied to every leaf value (`eta`). */
  learningRate: number;
  /** Depth of each tree; 1 grows stumps (`max_depth`). */
  maxDepth: number;
  /** L2 penalty on leaf values (`lambda`). */
  lambda: number;
  /** Least loss reduction a split must bring (`gamma`). */
  gamma: number;
  /** Least hessian sum in each child (`min_child_weight`). */
  minChildWeight: number;
  /** Share of rows each tree sees, in (0, 1] (`subsample`). */
  subsample: number;
  /** Seed of the row sampler. */
  seed: number;
}

/** Binned rows and their labels (1 = positive). */
export interface BinnedData {
  binned: BinnedMatrix;
  labels: ArrayLike<number>;
}

/** Options for {@link trainGbdt}. */
export interface TrainGbdtOptions {
  /** Rows binned with the training columns, for early stopping. */
  validation?: BinnedData;
  /**
   * Stop after this many trees without a better validation log loss; the
   * ensemble keeps the trees up to the best loss (at least one tree).
   */
  earlyStoppingRounds?: number;
  /** Called after each tree with the number of trees grown so far. */
  onTree?: (trees: number) => void;
}

/** A trained ensemble and its validation history. */
export interface GbdtResult {
  ensemble: TreeEnsemble;
  /** Validation log loss after each tree grown (empty without validation). */
  validationLoss: number[];
}

/** Smallest gain that counts as an improvement (guards against rounding noise). */
const MIN_GAIN = 1e-12;

/** The split a node takes: bins `0..bin` (and missing if `missingLeft`) go left. */
interface Split {
  feature: number;
  /** Last value bin sent left; −1 sends only the missing values left (or none). */
  bin: number;
  missingLeft: boolean;
  gain: number;
}

/** A tree under construction, with each split also kept in bin space. */
interface GrowingTree {
  tree: Tree;
  splitBin: number[];
}

interface GrowContext {
  data: BinnedMatrix;
  grad: Float64Array;
  hess: Float64Array;
  params: GbdtParams;
}

/** Log-odds of the label mean: the starting point of boosting, float32. */
export function baseScore(labels: ArrayLike<number>): number {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  const p = Math.min(Math.max(positives / labels.length, 1e-6), 1 - 1e-6);
  return Math.fround(Math.log(p / (1 - p)));
}

/** Leaf value for gradient and hessian sums: the Newton step, shrunk and penalised. */
export function leafValue(g: number, h: number, params: GbdtParams): number {
  return Math.fround((-g / (h + params.lambda)) * params.learningRate);
}

function score(g: number, h: number, lambda: number): number {
  return (g * g) / (h + lambda);
}

function addNode(t: GrowingTree): number {
  t.tree.feature.push(-1);
  t.tree.threshold.push(0);
  t.tree.left.push(-1);
  t.tree.right.push(-1);
  t.tree.missingLeft.push(false);
  t.tree.value.push(0);
  t.tree.cover.push(0);
  t.splitBin.push(-1);
  return t.tree.feature.length - 1;
}

/** Best split of the rows of one node over every feature, or null. */
function findSplit(ctx: GrowContext, rows: Uint32Array, g: number, h: number): Split | null {
  const { lambda, gamma, minChildWeight } = ctx.params;
  const parent = score(g, h, lambda);
  let best: Split | null = null;
  ctx.data.columns.forEach((column, feature) => {
    const nBins = valueBins(column) + 1; // value bins + the missing bin
    const gs = new Float64Array(nBins);
    const hs = new Float64Array(nBins);
    const ns = new Uint32Array(nBins);
    const codes = ctx.data.codes[feature];
    for (const r of rows) {
      const b = codes[r];
      gs[b] += ctx.grad[r];
      hs[b] += ctx.hess[r];
      ns[b]++;
    }
    const miss = missingBin(column);
    const [gm, hm, nm] = [gs[miss], hs[miss], ns[miss]];
    let gl = 0;
    let hl = 0;
    let nl = 0;
    // bin = −1: no value bin goes left; then one more value bin at a time.
    for (let bin = -1; bin < miss - 1; bin++) {
      if (bin >= 0) {
        gl += gs[bin];
        hl += hs[bin];
        nl += ns[bin];
      }
      const sides = nm > 0 ? [true, false] : [hl >= h - hl];
      for (const missingLeft of sides) {
        const [gL, hL, nL] = missingLeft ? [gl + gm, hl + hm, nl + nm] : [gl, hl, nl];
        const [gR, hR, nR] = [g - gL, h - hL, rows.length - nL];
        if (nL === 0 || nR === 0 || hL < minChildWeight || hR < minChildWeight) continue;
        const gain = 0.5 * (score(gL, hL, lambda) + score(gR, hR, lambda) - parent) - gamma;
        if (gain > (best?.gain ?? MIN_GAIN)) best = { feature, bin, missingLeft, gain };
      }
    }
  });
  return best;
}

function goesLeft(split: { bin: number; missingLeft: boolean }, code: number, miss: number) {
  return code === miss ? split.missingLeft : code <= split.bin;
}

/** Grows the subtree of `rows` and returns its node index. */
function grow(ctx: GrowContext, t: GrowingTree, rows: Uint32Array, depth: number): number {
  const id = addNode(t);
  let g = 0;
  let h = 0;
  for (const r of rows) {
    g += ctx.grad[r];
    h += ctx.hess[r];
  }
  t.tree.cover[id] = h;
  const split = depth < ctx.params.maxDepth ? findSplit(ctx, rows, g, h) : null;
  if (split === null) {
    t.tree.value[id] = leafValue(g, h, ctx.params);
    return id;
  }
  const column = ctx.data.columns[split.feature];
  const codes = ctx.data.codes[split.feature];
  const miss = missingBin(column);
  const left = rows.filter((r) => goesLeft(split, codes[r], miss));
  const right = rows.filter((r) => !goesLeft(split, codes[r], miss));
  t.tree.feature[id] = split.feature;
  t.tree.threshold[id] = split.bin < 0 ? -Infinity : column.edges[split.bin];
  t.tree.missingLeft[id] = split.missingLeft;
  t.splitBin[id] = split.bin;
  t.tree.left[id] = grow(ctx, t, left, depth + 1);
  t.tree.right[id] = grow(ctx, t, right, depth + 1);
  return id;
}

/** Leaf value reached by row `r` of binned data, routing in bin space. */
function binnedLeafValue(t: GrowingTree, data: BinnedMatrix, r: number): number {
  const { tree } = t;
  let node = 0;
  while (tree.feature[node] >= 0) {
    const f = tree.feature[node];
    const split = { bin: t.splitBin[node], missingLeft: tree.missingLeft[node] };
    node = goesLeft(split, data.codes[f][r], missingBin(data.columns[f]))
      ? tree.left[node]
      : tree.right[node];
  }
  return tree.value[node];
}

function checkParams(p: GbdtParams): void {
  const ok = p.nTrees >= 1 && p.learningRate > 0 && p.maxDepth >= 0 && p.lambda >= 0 &&
    p.gamma >= 0 && p.minChildWeight >= 0 && p.subsample > 0 && p.subsample <= 1;
  if (!ok) throw new RangeError(`invalid GBDT parameters ${JSON.stringify(p)}`);
}

/** Row sampler: all rows, or a seeded Bernoulli sample per tree. */
function rowSampler(n: number, params: GbdtParams): () => Uint32Array {
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  if (params.subsample >= 1) return () => all;
  const rng = mersenne(params.seed);
  return () => {
    const sample = all.filter(() => uniformFloat64(rng) < params.subsample);
    return sample.length > 0 ? sample : all;
  };
}

/**
 * Boosts trees on binned training data. Deterministic: the same data,
 * parameters and seed give the same ensemble.
 */
export function trainGbdt(
  train: BinnedData,
  params: GbdtParams,
  options: TrainGbdtOptions = {},
): GbdtResult {
  checkParams(params);
  const data = train.binned;
  const n = data.nRows;
  if (n === 0 || train.labels.length !== n) {
    throw new RangeError(`${n} rows but ${train.labels.length} labels`);
  }
  const base = baseScore(train.labels);
  const logOdds = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const valid = options.validation;
  const validLogOdds = new Float64Array(valid?.binned.nRows ?? 0).fill(base);
  const validProba = new Float64Array(validLogOdds.length);
  const validationLoss: number[] = [];
  const trees: Tree[] = [];
  const sample = rowSampler(n, params);
  let bestLoss = Infinity;
  let bestLength = 0;
  const ctx: GrowContext = { data, grad, hess, params };
  for (let i = 0; i < params.nTrees; i++) {
    for (let r = 0; r < n; r++) {
      const p = sigmoid(logOdds[r]);
      grad[r] = p - train.labels[r];
      hess[r] = Math.max(p * (1 - p), 1e-16);
    }
    const t: GrowingTree = { tree: emptyTree(), splitBin: [] };
    grow(ctx, t, sample(), 0);
    trees.push(t.tree);
    for (let r = 0; r < n; r++) logOdds[r] += binnedLeafValue(t, data, r);
    options.onTree?.(trees.length);
    if (!valid) continue;
    for (let r = 0; r < validLogOdds.length; r++) {
      validLogOdds[r] += binnedLeafValue(t, valid.binned, r);
      validProba[r] = sigmoid(validLogOdds[r]);
    }
    const loss = logLoss({ labels: valid.labels, scores: validProba });
    validationLoss.push(loss);
    if (loss < bestLoss) {
      bestLoss = loss;
      bestLength = trees.length;
    } else if (trees.length - bestLength >= (options.earlyStoppingRounds ?? Infinity)) {
      break;
    }
  }
  const kept = valid ? trees.slice(0, bestLength) : trees;
  return {
    ensemble: { baseScore: base, nFeatures: data.columns.length, trees: kept },
    validationLoss,
  };
}
