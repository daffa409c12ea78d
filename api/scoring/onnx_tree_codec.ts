/**
 * Writes a {@link TreeEnsemble} as a standard ONNX model, and reads the trees
 * of any ONNX tree-ensemble node back ({@link decodeTreeNode}: regressors and
 * classifiers as onnxmltools, skl2onnx and this module write them).
 *
 * Graph: `features: float[N, F]` → `ai.onnx.ml.TreeEnsembleRegressor` (ml
 * opset 3) → `log_odds: float[N, 1]` → `Sigmoid` → `proba_default: float[N, 1]`.
 * With a float input the runtime holds thresholds and leaf values as float32
 * (it refuses double attributes), so writers should round them with
 * `Math.fround` first. Node covers travel in `nodes_hitrates` (a field the
 * runtime ignores), so the ONNX file alone rebuilds the trees for reason codes.
 *
 * The protobuf itself is built with `onnx-proto` (protobufjs); this module only
 * maps trees to the operator's attribute lists, which no library does.
 *
 * @module
 */
import { type Onnx, onnx } from "./onnx_proto.ts";
import type { SplitRule, Tree, TreeEnsemble } from "./tree_ensemble.ts";

/** Name of the tree-ensemble node {@link encodeEnsemble} writes. */
export const TREE_NODE_NAME = "trees";

/** Names of the graph's input and outputs. */
export const ONNX_IO = {
  input: "features",
  logOdds: "log_odds",
  proba: "proba_default",
} as const;

const ML_DOMAIN = "ai.onnx.ml";
const ML_OPSET = 3;
const DEFAULT_OPSET = 17;
const IR_VERSION = 8;

type AttrType = Onnx.AttributeProto.AttributeType;
const AT = onnx.AttributeProto.AttributeType;
const DT = onnx.TensorProto.DataType;

function ints(name: string, values: number[]): Onnx.IAttributeProto {
  return { name, type: AT.INTS as AttrType, ints: values };
}
function int(name: string, value: number): Onnx.IAttributeProto {
  return { name, type: AT.INT as AttrType, i: value };
}
function str(name: string, value: string): Onnx.IAttributeProto {
  return { name, type: AT.STRING as AttrType, s: new TextEncoder().encode(value) };
}
function strs(name: string, values: string[]): Onnx.IAttributeProto {
  const enc = new TextEncoder();
  return { name, type: AT.STRINGS as AttrType, strings: values.map((v) => enc.encode(v)) };
}
function floats(name: string, values: number[]): Onnx.IAttributeProto {
  return { name, type: AT.FLOATS as AttrType, floats: values };
}

function floatTensorInfo(name: string, dims: (string | number)[]): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DT.FLOAT,
        shape: {
          dim: dims.map((d) => typeof d === "string" ? { dimParam: d } : { dimValue: d }),
        },
      },
    },
  };
}

const RULE_MODES: Record<SplitRule, string> = {
  "<": "BRANCH_LT",
  "<=": "BRANCH_LEQ",
  ">": "BRANCH_GT",
  ">=": "BRANCH_GTE",
  "==": "BRANCH_EQ",
  "!=": "BRANCH_NEQ",
};

/** Flattens the trees into the operator's parallel attribute arrays. */
function treeAttributes(trees: readonly Tree[]): Onnx.IAttributeProto[] {
  const n = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    missingTrue: [] as number[],
    covers: [] as number[],
  };
  const t = { treeIds: [] as number[], nodeIds: [] as number[], weights: [] as number[] };
  trees.forEach((tree, treeId) => {
    tree.feature.forEach((feature, node) => {
      const leaf = feature < 0;
      n.treeIds.push(treeId);
      n.nodeIds.push(node);
      n.featureIds.push(leaf ? 0 : feature);
      n.modes.push(leaf ? "LEAF" : RULE_MODES[tree.rule?.[node] ?? "<"]);
      n.values.push(leaf ? 0 : tree.threshold[node]);
      n.trueIds.push(leaf ? 0 : tree.left[node]);
      n.falseIds.push(leaf ? 0 : tree.right[node]);
      n.missingTrue.push(!leaf && tree.missingLeft[node] ? 1 : 0);
      n.covers.push(tree.cover[node]);
      if (leaf) {
        t.treeIds.push(treeId);
        t.nodeIds.push(node);
        t.weights.push(tree.value[node]);
      }
    });
  });
  return [
    ints("nodes_treeids", n.treeIds),
    ints("nodes_nodeids", n.nodeIds),
    ints("nodes_featureids", n.featureIds),
    strs("nodes_modes", n.modes),
    floats("nodes_values", n.values),
    ints("nodes_truenodeids", n.trueIds),
    ints("nodes_falsenodeids", n.falseIds),
    ints("nodes_missing_value_tracks_true", n.missingTrue),
    floats("nodes_hitrates", n.covers),
    ints("target_treeids", t.treeIds),
    ints("target_nodeids", t.nodeIds),
    ints("target_ids", t.treeIds.map(() => 0)),
    floats("target_weights", t.weights),
  ];
}

/** Options for {@link encodeEnsemble}. */
export interface EncodeOptions {
  /** Stored as the model's `doc_string` (keep it free of timestamps). */
  docString?: string;
  /** Extra `metadata_props` entries, e.g. the feature names. */
  metadata?: Record<string, string>;
}

/** Serialises an ensemble to ONNX bytes. Same input, same bytes. */
export function encodeEnsemble(model: TreeEnsemble, options: EncodeOptions = {}): Uint8Array {
  const regressor: Onnx.INodeProto = {
    name: TREE_NODE_NAME,
    opType: "TreeEnsembleRegressor",
    domain: ML_DOMAIN,
    input: [ONNX_IO.input],
    output: [ONNX_IO.logOdds],
    attribute: [
      ...treeAttributes(model.trees),
      int("n_targets", 1),
      str("aggregate_function", "SUM"),
      str("post_transform", "NONE"),
      floats("base_values", [model.baseScore]),
    ],
  };
  const sigmoidNode: Onnx.INodeProto = {
    name: "to_probability",
    opType: "Sigmoid",
    input: [ONNX_IO.logOdds],
    output: [ONNX_IO.proba],
  };
  const proto: Onnx.IModelProto = {
    irVersion: IR_VERSION,
    producerName: "scorewatch",
    docString: options.docString ?? "",
    opsetImport: [{ domain: "", version: DEFAULT_OPSET }, { domain: ML_DOMAIN, version: ML_OPSET }],
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: "scorewatch_gbdt",
      node: [regressor, sigmoidNode],
      input: [floatTensorInfo(ONNX_IO.input, ["N", model.nFeatures])],
      output: [
        floatTensorInfo(ONNX_IO.logOdds, ["N", 1]),
        floatTensorInfo(ONNX_IO.proba, ["N", 1]),
      ],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(proto)).finish();
}

function num(v: number | { toNumber(): number }): number {
  return typeof v === "number" ? v : v.toNumber();
}

function attributeMap(node: Onnx.INodeProto): Map<string, Onnx.IAttributeProto> {
  return new Map((node.attribute ?? []).map((a) => [a.name ?? "", a]));
}

function readInts(attrs: Map<string, Onnx.IAttributeProto>, name: string): number[] {
  const a = attrs.get(name);
  if (!a?.ints) throw new Error(`ONNX tree ensemble: attribute ${name} is missing`);
  return a.ints.map(num);
}

function readFloats(attrs: Map<string, Onnx.IAttributeProto>, name: string): number[] {
  const tensor = attrs.get(`${name}_as_tensor`)?.t;
  if (tensor?.doubleData?.length) return [...tensor.doubleData];
  if (tensor?.floatData?.length) return [...tensor.floatData];
  const floats = attrs.get(name)?.floats;
  if (floats) return [...floats];
  throw new Error(`ONNX tree ensemble: attribute ${name} is missing`);
}

function readStrings(attrs: Map<string, Onnx.IAttributeProto>, name: string): string[] {
  const dec = new TextDecoder();
  const a = attrs.get(name);
  if (!a?.strings) throw new Error(`ONNX tree ensemble: attribute ${name} is missing`);
  return a.strings.map((s) => dec.decode(s));
}

const MODES: Record<string, SplitRule> = {
  BRANCH_LT: "<",
  BRANCH_LEQ: "<=",
  BRANCH_GT: ">",
  BRANCH_GTE: ">=",
  BRANCH_EQ: "==",
  BRANCH_NEQ: "!=",
};

/** The tree-ensemble operators whose trees Scorewatch reads. */
export const TREE_OPS: readonly string[] = ["TreeEnsembleRegressor", "TreeEnsembleClassifier"];

/**
 * The tree-ensemble node of a model: the one named `name`, or with an empty
 * name the only one. Throws when there is none, or several and no name.
 */
export function findTreeNode(model: Onnx.IModelProto, name = ""): Onnx.INodeProto {
  const nodes = (model.graph?.node ?? []).filter((n) =>
    TREE_OPS.includes(n.opType ?? "") && (n.domain ?? "") === ML_DOMAIN
  );
  const found = name === "" ? nodes : nodes.filter((n) => n.name === name);
  if (found.length === 1) return found[0];
  const what = name === "" ? "tree-ensemble node" : `tree-ensemble node named "${name}"`;
  throw new Error(`ONNX model has ${found.length === 0 ? "no" : found.length} ${what}`);
}

/** Which leaf weights make the margin a tree explanation explains. */
export interface MarginSpec {
  /** Target (regressor) or class (classifier) ids whose weights add. */
  plus: readonly number[];
  /** Ids whose weights subtract (e.g. class 0 of a two-class softmax). */
  minus?: readonly number[];
}

/**
 * Rebuilds the trees of one `TreeEnsembleRegressor` or `TreeEnsembleClassifier`
 * node (ai.onnx.ml opset 1–3, any split comparison) as a {@link TreeEnsemble}
 * whose leaf values are the margin `Σ weights[plus] − Σ weights[minus]`, and
 * whose base score is the same combination of `base_values`
 * (`aggregate_function` AVERAGE divides leaf weights by the number of trees,
 * as onnxruntime does). Node ids need not be dense or start at the root: each
 * tree's root is its node that no split points to. Covers come from
 * `options.covers`, else `nodes_hitrates` (0 when absent). `post_transform` is not applied: callers
 * check at import which link turns the margin into the served probability.
 */
export function decodeTreeNode(
  node: Onnx.INodeProto,
  options: MarginSpec & {
    nFeatures: number;
    /** Covers to use instead of `nodes_hitrates`, one per position of the `nodes_*` lists. */
    covers?: readonly number[];
  },
): TreeEnsemble {
  const attrs = attributeMap(node);
  const classifier = node.opType === "TreeEnsembleClassifier";
  const prefix = classifier ? "class" : "target";
  const treeIds = readInts(attrs, "nodes_treeids");
  const nodeIds = readInts(attrs, "nodes_nodeids");
  const featureIds = readInts(attrs, "nodes_featureids");
  const modes = readStrings(attrs, "nodes_modes");
  const values = readFloats(attrs, "nodes_values");
  const trueIds = readInts(attrs, "nodes_truenodeids");
  const falseIds = readInts(attrs, "nodes_falsenodeids");
  const missingTrue = attrs.has("nodes_missing_value_tracks_true")
    ? readInts(attrs, "nodes_missing_value_tracks_true")
    : treeIds.map(() => 0);
  const covers = options.covers ??
    (attrs.has("nodes_hitrates") || attrs.has("nodes_hitrates_as_tensor")
      ? readFloats(attrs, "nodes_hitrates")
      : treeIds.map(() => 0));
  if (covers.length !== treeIds.length) {
    throw new Error(`${covers.length} covers for ${treeIds.length} tree nodes`);
  }

  // Per tree: ONNX node id → position in the node lists.
  const byTree = new Map<number, Map<number, number>>();
  treeIds.forEach((t, i) => {
    const m = byTree.get(t) ?? new Map<number, number>();
    if (m.has(nodeIds[i])) throw new Error(`ONNX tree ${t}: node id ${nodeIds[i]} repeats`);
    m.set(nodeIds[i], i);
    byTree.set(t, m);
  });
  const treeOrder = [...byTree.keys()].sort((a, b) => a - b);
  const local = new Map<number, Map<number, number>>();
  const trees: Tree[] = treeOrder.map((t) => {
    const ids = byTree.get(t)!;
    const children = new Set<number>();
    for (const i of ids.values()) {
      if (modes[i] !== "LEAF") children.add(trueIds[i]).add(falseIds[i]);
    }
    const roots = [...ids.keys()].filter((id) => !children.has(id));
    if (roots.length !== 1) throw new Error(`ONNX tree ${t}: ${roots.length} roots`);
    // Breadth-first from the root: the root becomes node 0.
    const order = [roots[0]];
    const pos = new Map<number, number>([[roots[0], 0]]);
    for (let k = 0; k < order.length; k++) {
      const i = ids.get(order[k])!;
      if (modes[i] === "LEAF") continue;
      for (const child of [trueIds[i], falseIds[i]]) {
        if (!ids.has(child)) throw new Error(`ONNX tree ${t}: node ${child} does not exist`);
        if (pos.has(child)) throw new Error(`ONNX tree ${t}: node ${child} has two parents`);
        pos.set(child, order.length);
        order.push(child);
      }
    }
    local.set(t, pos);
    const tree = emptyTree(order.length);
    tree.rule = new Array<SplitRule>(order.length).fill("<");
    order.forEach((id, k) => {
      const i = ids.get(id)!;
      tree.cover[k] = covers[i];
      if (modes[i] === "LEAF") return;
      const rule = MODES[modes[i]];
      if (!rule) throw new Error(`ONNX tree ${t}: unsupported split mode ${modes[i]}`);
      tree.rule![k] = rule;
      tree.feature[k] = featureIds[i];
      tree.threshold[k] = values[i];
      tree.left[k] = pos.get(trueIds[i])!;
      tree.right[k] = pos.get(falseIds[i])!;
      tree.missingLeft[k] = missingTrue[i] === 1;
    });
    if (tree.rule.every((r) => r === "<")) delete tree.rule;
    return tree;
  });

  const plus = new Set(options.plus);
  const minus = new Set(options.minus ?? []);
  const sign = (id: number) => (plus.has(id) ? 1 : 0) - (minus.has(id) ? 1 : 0);
  const average = attrs.get("aggregate_function")?.s &&
    new TextDecoder().decode(attrs.get("aggregate_function")!.s!) !== "SUM";
  if (average) {
    const fn = new TextDecoder().decode(attrs.get("aggregate_function")!.s!);
    if (fn !== "AVERAGE") throw new Error(`unsupported aggregate_function ${fn}`);
  }
  const scale = average ? 1 / trees.length : 1;
  const leafTrees = readInts(attrs, `${prefix}_treeids`);
  const leafNodes = readInts(attrs, `${prefix}_nodeids`);
  const leafIds = readInts(attrs, `${prefix}_ids`);
  const weights = readFloats(attrs, `${prefix}_weights`);
  const treeIndex = new Map(treeOrder.map((t, k) => [t, k]));
  leafTrees.forEach((t, i) => {
    const s = sign(leafIds[i]);
    if (s === 0) return;
    const k = treeIndex.get(t);
    const n = local.get(t)?.get(leafNodes[i]);
    if (k === undefined || n === undefined) {
      throw new Error(`ONNX tree ${t}: weight for unknown node ${leafNodes[i]}`);
    }
    trees[k].value[n] += s * weights[i] * scale;
  });
  const hasBase = attrs.has("base_values") || attrs.has("base_values_as_tensor");
  const base = hasBase ? readFloats(attrs, "base_values") : [];
  let baseScore = 0;
  base.forEach((b, id) => (baseScore += sign(id) * b));
  return { baseScore, nFeatures: options.nFeatures, trees };
}

function emptyTree(size: number): Tree {
  return {
    feature: new Array(size).fill(-1),
    threshold: new Array(size).fill(0),
    left: new Array(size).fill(-1),
    right: new Array(size).fill(-1),
    missingLeft: new Array(size).fill(false),
    value: new Array(size).fill(0),
    cover: new Array(size).fill(0),
  };
}

/** Width of the model's first input (its second dimension), 0 when not fixed. */
export function inputWidth(model: Onnx.IModelProto): number {
  const dims = model.graph?.input?.[0]?.type?.tensorType?.shape?.dim ?? [];
  return num(dims[1]?.dimValue ?? 0);
}

/** Decodes a model's bytes (see `onnx.ModelProto.decode`). */
export function decodeModel(bytes: Uint8Array): Onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/**
 * Rebuilds the ensemble from ONNX bytes written by {@link encodeEnsemble}
 * (or any single-target `TreeEnsembleRegressor`): target 0's trees.
 */
export function decodeEnsemble(bytes: Uint8Array): TreeEnsemble {
  const model = onnx.ModelProto.decode(bytes);
  const node = (model.graph?.node ?? []).find((n) => n.opType === "TreeEnsembleRegressor");
  if (!node) throw new Error("ONNX model has no TreeEnsembleRegressor node");
  return decodeTreeNode(node, { plus: [0], nFeatures: inputWidth(model) });
}
