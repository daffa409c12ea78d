/**
 * Import-time choice of an exact explainer for a foreign ONNX graph, checked
 * against the probabilities the model actually serves:
 *
 * - {@link fitTreeReasons}: the graph's one tree-ensemble node (fed the input
 *   directly, through `Identity`/`Cast` at most). Which leaf weights make the
 *   margin (the positive class's, or positive minus negative for a two-class
 *   softmax) and which link turns it into the served probability (logistic,
 *   or none when the trees average probabilities) depend on the exporter and
 *   on onnxruntime's conventions for binary classifiers, so every plausible
 *   combination is tried and the one that reproduces the served
 *   probabilities on every sample row (|Δ| ≤ tolerance) is kept. Covers are
 *   the row counts of the reference sample at each node (foreign files carry
 *   none: onnxmltools writes `nodes_hitrates` = 1).
 * - {@link fitLinearReasons}: `[Imputer | Scaler | Identity | Cast]* →
 *   LinearClassifier`, folded into one affine function of the raw columns;
 *   kept when its sigmoid reproduces the served probabilities.
 *
 * Anything else (a `Normalizer` on the features, a network, several tree
 * nodes) is not fitted: the importer falls back to sampling Shapley values.
 *
 * @module
 */
import type { ReasonsSpec } from "./model_meta.ts";
import type { NodeInfo, OnnxSummary } from "./onnx_graph.ts";
import { producerOf } from "./onnx_graph.ts";
import { decodeModel, decodeTreeNode, type MarginSpec, TREE_OPS } from "./onnx_tree_codec.ts";
import { predictLogOdds, sigmoid, type TreeEnsemble, withSampleCovers } from "./tree_ensemble.ts";

/** Largest |served − explained| probability accepted (the parity bar). */
export const FIT_TOLERANCE = 1e-5;

/** What the fitters get: the graph, the encoded sample and what the model served for it. */
export interface FitInput {
  bytes: Uint8Array;
  summary: OnnxSummary;
  inputName: string;
  /** Row-major encoded sample, `width` columns. */
  matrix: Float32Array;
  width: number;
  /** Served probabilities of the sample rows. */
  served: Float64Array;
  /** The served output's column (the positive class's index for classifiers). */
  column: number;
}

/** A fitted explainer, or why none fits. */
export type FitResult<S> =
  | { ok: true; spec: S; maxError: number; note: string }
  | { ok: false; why: string };

type TreeSpec = Extract<ReasonsSpec, { method: "tree_shap" }>;
type LinearSpec = Extract<ReasonsSpec, { method: "linear" }>;

const IDENTITY_OPS = new Set(["Identity", "Cast"]);

/** Whether `tensor` is the graph input, reached through Identity/Cast only. */
function readsInput(summary: OnnxSummary, tensor: string, input: string): boolean {
  let name = tensor;
  for (let hops = 0; hops < 16 && name !== input; hops++) {
    const node = producerOf(summary, name);
    if (!node || !IDENTITY_OPS.has(node.opType)) return false;
    name = node.inputs[0];
  }
  return name === input;
}

const LINKS = {
  logit: { units: "log_odds" as const, toProba: sigmoid },
  identity: { units: "probability" as const, toProba: (m: number) => m },
};

function maxError(
  input: FitInput,
  margin: (row: Float32Array) => number,
  link: keyof typeof LINKS,
) {
  let worst = 0;
  const n = input.served.length;
  for (let r = 0; r < n; r++) {
    const row = input.matrix.subarray(r * input.width, (r + 1) * input.width);
    const p = LINKS[link].toProba(margin(row));
    worst = Math.max(worst, Math.abs(p - input.served[r]));
    if (!(worst <= FIT_TOLERANCE)) return worst;
  }
  return worst;
}

function idsOf(node: NodeInfo): number[] {
  const ids = node.opType === "TreeEnsembleClassifier"
    ? node.attributes.class_ids
    : node.attributes.target_ids;
  return Array.isArray(ids) ? [...new Set(ids as number[])].sort((a, b) => a - b) : [0];
}

/** Margin specs worth trying for a tree node, most likely first. */
function marginCandidates(node: NodeInfo, column: number): MarginSpec[] {
  const ids = idsOf(node);
  if (node.opType !== "TreeEnsembleClassifier" || ids.length === 1) return [{ plus: [ids[0]] }];
  const other = ids.filter((i) => i !== column);
  return [{ plus: [column] }, { plus: [column], minus: other }];
}

/**
 * Covers aligned with the node's `nodes_*` lists (what a covers file holds):
 * the trees decoded once with each node's list position as its "cover" give
 * the position of every decoded node.
 */
function positionCovers(
  protoNode: Parameters<typeof decodeTreeNode>[0],
  trees: TreeEnsemble,
  width: number,
  count: number,
): number[] {
  const positions = decodeTreeNode(protoNode, {
    plus: [0],
    nFeatures: width,
    covers: Array.from({ length: count }, (_, i) => i),
  });
  const out = new Array<number>(count).fill(0);
  trees.trees.forEach((t, k) => t.cover.forEach((c, n) => (out[positions.trees[k].cover[n]] = c)));
  return out;
}

/** Fits exact TreeSHAP (see the module comment); covers come from the sample. */
export function fitTreeReasons(
  input: FitInput,
): FitResult<TreeSpec> & { covers?: number[] } {
  const nodes = input.summary.nodes.filter((n) =>
    TREE_OPS.includes(n.opType) && n.domain === "ai.onnx.ml"
  );
  if (nodes.length !== 1) return { ok: false, why: `${nodes.length} tree-ensemble nodes` };
  const node = nodes[0];
  if (!readsInput(input.summary, node.inputs[0], input.inputName)) {
    return { ok: false, why: `the trees of "${node.name}" read a transformed input` };
  }
  const model = decodeModel(input.bytes);
  const protoNode = (model.graph?.node ?? []).find((n) =>
    n.name === node.name && n.opType === node.opType
  );
  if (!protoNode) return { ok: false, why: `node "${node.name}" not found` };
  const tried: string[] = [];
  for (const margin of marginCandidates(node, input.column)) {
    let trees: TreeEnsemble;
    try {
      trees = decodeTreeNode(protoNode, { ...margin, nFeatures: input.width });
    } catch (err) {
      return { ok: false, why: (err as Error).message };
    }
    for (const link of ["logit", "identity"] as const) {
      const err = maxError(input, (row) => predictLogOdds(trees, row), link);
      const label = `ids +[${margin.plus}] −[${margin.minus ?? []}], ${link}`;
      tried.push(`${label}: max |Δ| ${err.toExponential(1)}`);
      if (!(err <= FIT_TOLERANCE)) continue;
      const sampled = withSampleCovers(trees, input.matrix);
      const count = (protoNode.attribute ?? []).find((a) => a.name === "nodes_treeids")?.ints
        ?.length ?? 0;
      return {
        ok: true,
        spec: {
          method: "tree_shap",
          units: LINKS[link].units,
          node: node.name,
          plus: [...margin.plus],
          minus: [...(margin.minus ?? [])],
          covers: { source: "file", file: "", sha256: "", note: "" },
        },
        covers: positionCovers(protoNode, sampled, input.width, count),
        maxError: err,
        note: `${node.opType} "${node.name}": margin = weights of ids [${margin.plus}]` +
          (margin.minus?.length ? ` minus ids [${margin.minus}]` : "") +
          (link === "logit" ? ", probability = sigmoid(margin)" : ", probability = margin"),
      };
    }
  }
  return {
    ok: false,
    why: `no margin and link reproduces the served probabilities (${tried.join("; ")})`,
  };
}

function floats(node: NodeInfo, name: string): number[] | null {
  const v = node.attributes[name];
  return Array.isArray(v) ? (v as number[]).map(Number) : null;
}

/** Fits exact linear contributions (see the module comment). */
export function fitLinearReasons(input: FitInput, served: string): FitResult<LinearSpec> {
  const { summary, width } = input;
  // Down from the served tensor to the LinearClassifier.
  let name = served;
  let classifier: NodeInfo | undefined;
  for (let hops = 0; hops < 16 && !classifier; hops++) {
    const node = producerOf(summary, name);
    if (!node) return { ok: false, why: "no LinearClassifier produces the probability" };
    if (node.opType === "LinearClassifier") classifier = node;
    else if (IDENTITY_OPS.has(node.opType)) name = node.inputs[0];
    else return { ok: false, why: `${node.opType} "${node.name}" after the linear model` };
  }
  if (!classifier) return { ok: false, why: "no LinearClassifier" };
  // Up from the classifier's input to the graph input: the column-wise transforms.
  const steps: NodeInfo[] = [];
  name = classifier.inputs[0];
  for (let hops = 0; hops < 16 && name !== input.inputName; hops++) {
    const node = producerOf(summary, name);
    if (!node) return { ok: false, why: `tensor "${name}" is not computed from the input` };
    if (!["Imputer", "Scaler", "Identity", "Cast"].includes(node.opType)) {
      const why = node.opType === "Normalizer"
        ? "a Normalizer rescales each row, so the model is not linear in its inputs"
        : `${node.opType} "${node.name}" before the linear model`;
      return { ok: false, why };
    }
    steps.unshift(node);
    name = node.inputs[0];
  }
  if (name !== input.inputName) {
    return { ok: false, why: "the linear model's input path is too long" };
  }
  // Each column: a·fill(x) + b, fill applied to the raw value.
  const a = new Array<number>(width).fill(1);
  const b = new Array<number>(width).fill(0);
  const fill: (number | null)[] = new Array(width).fill(null);
  const at = (xs: number[], j: number) => (xs.length === 1 ? xs[0] : xs[j]);
  for (const step of steps) {
    if (step.opType === "Imputer") {
      const values = floats(step, "imputed_value_floats");
      const replaced = step.attributes.replaced_value_float;
      if (!values || (replaced !== undefined && !Number.isNaN(Number(replaced)))) {
        return { ok: false, why: "an Imputer that does not replace NaN by floats" };
      }
      for (let j = 0; j < width; j++) {
        if (fill[j] !== null || a[j] === 0) return { ok: false, why: "two Imputers" };
        fill[j] = (at(values, j) - b[j]) / a[j];
      }
    } else if (step.opType === "Scaler") {
      const offset = floats(step, "offset") ?? [0];
      const scale = floats(step, "scale") ?? [1];
      for (let j = 0; j < width; j++) {
        a[j] *= at(scale, j);
        b[j] = (b[j] - at(offset, j)) * at(scale, j);
      }
    }
  }
  const coefficients = floats(classifier, "coefficients");
  const intercepts = floats(classifier, "intercepts") ?? [];
  if (!coefficients || coefficients.length % width !== 0) {
    return { ok: false, why: "LinearClassifier coefficients do not match the input width" };
  }
  const rows = coefficients.length / width;
  const row = (k: number) => coefficients.slice(k * width, (k + 1) * width);
  const candidates: { w: number[]; c: number; label: string }[] = [];
  const col = Math.min(input.column, rows - 1);
  candidates.push({ w: row(col), c: intercepts[col] ?? 0, label: `row ${col}` });
  if (rows === 2) {
    const o = 1 - col;
    candidates.push({
      w: row(col).map((v, j) => v - row(o)[j]),
      c: (intercepts[col] ?? 0) - (intercepts[o] ?? 0),
      label: `row ${col} − row ${o}`,
    });
  }
  if (rows === 1) {
    candidates.push({ w: row(0).map((v) => -v), c: -(intercepts[0] ?? 0), label: "−row 0" });
  }
  const tried: string[] = [];
  for (const cand of candidates) {
    const weights = cand.w.map((w, j) => w * a[j]);
    const intercept = cand.w.reduce((s, w, j) => s + w * b[j], cand.c);
    const spec: LinearSpec = {
      method: "linear",
      units: "log_odds",
      intercept,
      weights,
      fill,
      means: [],
    };
    const z = (x: Float32Array) => {
      let s = intercept;
      for (let j = 0; j < width; j++) {
        const v = Number.isNaN(x[j]) ? fill[j] ?? NaN : x[j];
        s += weights[j] * v;
      }
      return s;
    };
    const err = maxError(input, z, "logit");
    tried.push(`${cand.label}: max |Δ| ${err.toExponential(1)}`);
    if (!(err <= FIT_TOLERANCE)) continue;
    const n = input.served.length;
    spec.means = weights.map((_, j) => {
      let s = 0;
      for (let r = 0; r < n; r++) {
        const x = input.matrix[r * width + j];
        s += Number.isNaN(x) ? fill[j] ?? 0 : x;
      }
      return s / n;
    });
    return {
      ok: true,
      spec,
      maxError: err,
      note: `${steps.map((s) => s.opType).join(" → ")}${steps.length ? " → " : ""}` +
        `LinearClassifier "${classifier.name}" (${cand.label}), probability = sigmoid(z)`,
    };
  }
  return {
    ok: false,
    why: `no reading of the coefficients reproduces the served probabilities (${tried.join("; ")})`,
  };
}
