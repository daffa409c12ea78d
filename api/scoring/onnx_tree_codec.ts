/**
 * Writes a {@link TreeEnsemble} as a standard ONNX model and reads it back.
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
import * as onnxProto from "onnx-proto";
import type { onnx as Onnx } from "onnx-proto";

// onnx-proto is CommonJS and Deno cannot detect its named export: at run time
// the namespace is a property of the default export; types use the named one.
const { onnx } = (onnxProto as unknown as { default: { onnx: typeof Onnx } }).default;
import type { Tree, TreeEnsemble } from "./tree_ensemble.ts";

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
      n.modes.push(leaf ? "LEAF" : "BRANCH_LT");
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
    name: "trees",
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

/**
 * Rebuilds the ensemble from ONNX bytes written by {@link encodeEnsemble}
 * (or any single-target `TreeEnsembleRegressor` using `BRANCH_LT` splits).
 */
export function decodeEnsemble(bytes: Uint8Array): TreeEnsemble {
  const model = onnx.ModelProto.decode(bytes);
  const node = model.graph?.node?.find((n) => n.opType === "TreeEnsembleRegressor");
  if (!node) throw new Error("ONNX model has no TreeEnsembleRegressor node");
  const attrs = attributeMap(node);
  const treeIds = readInts(attrs, "nodes_treeids");
  const nodeIds = readInts(attrs, "nodes_nodeids");
  const featureIds = readInts(attrs, "nodes_featureids");
  const modes = readStrings(attrs, "nodes_modes");
  const values = readFloats(attrs, "nodes_values");
  const trueIds = readInts(attrs, "nodes_truenodeids");
  const falseIds = readInts(attrs, "nodes_falsenodeids");
  const missingTrue = readInts(attrs, "nodes_missing_value_tracks_true");
  const covers = readFloats(attrs, "nodes_hitrates");
  const nTrees = Math.max(...treeIds) + 1;
  const sizes = new Array(nTrees).fill(0);
  nodeIds.forEach((id, i) => sizes[treeIds[i]] = Math.max(sizes[treeIds[i]], id + 1));
  const trees = sizes.map(emptyTree);
  treeIds.forEach((treeId, i) => {
    const tree = trees[treeId];
    const id = nodeIds[i];
    tree.cover[id] = covers[i];
    if (modes[i] === "LEAF") return;
    if (modes[i] !== "BRANCH_LT") throw new Error(`unsupported split mode ${modes[i]}`);
    tree.feature[id] = featureIds[i];
    tree.threshold[id] = values[i];
    tree.left[id] = trueIds[i];
    tree.right[id] = falseIds[i];
    tree.missingLeft[id] = missingTrue[i] === 1;
  });
  const leafTrees = readInts(attrs, "target_treeids");
  const leafNodes = readInts(attrs, "target_nodeids");
  const weights = readFloats(attrs, "target_weights");
  leafTrees.forEach((treeId, i) => trees[treeId].value[leafNodes[i]] += weights[i]);
  const baseScore = readFloats(attrs, "base_values")[0] ?? 0;
  const dims = model.graph?.input?.[0]?.type?.tensorType?.shape?.dim ?? [];
  const nFeatures = num(dims[1]?.dimValue ?? 0);
  return { baseScore, nFeatures, trees };
}
