/**
 * Model variants for `scripts/model_variants.ts`: an ensemble cut to its
 * first k trees, and the same trees written with the newer ONNX operator
 * `ai.onnx.ml.TreeEnsemble` (ml opset 5), whose split values and leaf
 * weights are tensors of the input's type, so the model can be float16
 * end to end (the older `TreeEnsembleRegressor`, which `onnx_tree_codec.ts`
 * writes, holds them as float attributes only).
 *
 * Graph: `features: T[N, F]` → TreeEnsemble → `log_odds: T[N, 1]` → Sigmoid
 * → `proba_default: T[N, 1]`, T = float or float16.
 *
 * @module
 */
import * as onnxProto from "onnx-proto";
import type { onnx as Onnx } from "onnx-proto";
import { ONNX_IO } from "../../api/scoring/onnx_tree_codec.ts";
import type { TreeEnsemble } from "../../api/scoring/tree_ensemble.ts";

// onnx-proto is CommonJS; see api/scoring/onnx_tree_codec.ts for why the namespace is read so.
const { onnx } = (onnxProto as unknown as { default: { onnx: typeof Onnx } }).default;
const AT = onnx.AttributeProto.AttributeType;
const DT = onnx.TensorProto.DataType;
type AttrType = Onnx.AttributeProto.AttributeType;

/** The ensemble with only its first `k` trees (all when k ≥ their number). */
export function truncateEnsemble(model: TreeEnsemble, k: number): TreeEnsemble {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`tree count ${k} is not ≥ 1`);
  return { ...model, trees: model.trees.slice(0, k) };
}

/** Element type of a variant's input, splits, leaves and output. */
export type V5Precision = "float32" | "float16";

/** float32 values → IEEE half-precision bit patterns (round to nearest even, via Float16Array). */
export function toFloat16Bits(values: ArrayLike<number>): Uint16Array {
  const F16 = (globalThis as { Float16Array?: new (xs: ArrayLike<number>) => ArrayBufferView })
    .Float16Array;
  if (!F16) throw new Error("this runtime has no Float16Array");
  const half = new F16(values);
  return new Uint16Array(half.buffer, half.byteOffset, values.length);
}

function tensor(name: string, values: number[], precision: V5Precision): Onnx.ITensorProto {
  if (precision === "float32") {
    return { name, dataType: DT.FLOAT, dims: [values.length], floatData: values };
  }
  const bits = toFloat16Bits(values);
  return {
    name,
    dataType: DT.FLOAT16,
    dims: [values.length],
    rawData: new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength),
  };
}

const ints = (name: string, values: number[]): Onnx.IAttributeProto => ({
  name,
  type: AT.INTS as AttrType,
  ints: values,
});
const int = (name: string, value: number): Onnx.IAttributeProto => ({
  name,
  type: AT.INT as AttrType,
  i: value,
});
const tensorAttr = (name: string, t: Onnx.ITensorProto): Onnx.IAttributeProto => ({
  name,
  type: AT.TENSOR as AttrType,
  t,
});

/** `BRANCH_LT` in the `nodes_modes` tensor of TreeEnsemble. */
const MODE_BRANCH_LT = 1;
/** `SUM` in `aggregate_function`, `NONE` in `post_transform`. */
const AGGREGATE_SUM = 1;
const POST_NONE = 0;

/**
 * Writes `model` with `ai.onnx.ml.TreeEnsemble` (ml opset 5). Interior nodes
 * go to the `nodes_*` arrays, leaves to `leaf_*`. The operator has no base
 * value, so the base score is added to every leaf of the first tree. Every
 * tree needs at least one split.
 */
export function encodeEnsembleV5(model: TreeEnsemble, precision: V5Precision): Uint8Array {
  const nodes = {
    featureIds: [] as number[],
    splits: [] as number[],
    trueIds: [] as number[],
    trueLeafs: [] as number[],
    falseIds: [] as number[],
    falseLeafs: [] as number[],
    missingTrue: [] as number[],
  };
  const leafWeights: number[] = [];
  const roots: number[] = [];
  model.trees.forEach((tree, t) => {
    if (tree.feature[0] < 0) {
      throw new Error(`tree ${t} is a single leaf: TreeEnsemble needs splits`);
    }
    const nodeIndex = new Map<number, number>();
    const leafIndex = new Map<number, number>();
    tree.feature.forEach((f, id) => {
      if (f >= 0) {
        nodeIndex.set(id, nodes.featureIds.length + nodeIndex.size);
      } else {
        leafIndex.set(id, leafWeights.length + leafIndex.size);
      }
    });
    const base = t === 0 ? model.baseScore : 0;
    tree.feature.forEach((f, id) => {
      if (f < 0) return;
      const child = (c: number) =>
        tree.feature[c] < 0
          ? { leaf: 1, index: leafIndex.get(c)! }
          : { leaf: 0, index: nodeIndex.get(c)! };
      const l = child(tree.left[id]);
      const r = child(tree.right[id]);
      nodes.featureIds.push(f);
      nodes.splits.push(tree.threshold[id]);
      nodes.trueIds.push(l.index);
      nodes.trueLeafs.push(l.leaf);
      nodes.falseIds.push(r.index);
      nodes.falseLeafs.push(r.leaf);
      nodes.missingTrue.push(tree.missingLeft[id] ? 1 : 0);
    });
    tree.feature.forEach((f, id) => {
      if (f < 0) leafWeights.push(tree.value[id] + base);
    });
    roots.push(nodeIndex.get(0)!);
  });
  const elemType = precision === "float32" ? DT.FLOAT : DT.FLOAT16;
  const info = (name: string, dims: (string | number)[]): Onnx.IValueInfoProto => ({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => typeof d === "string" ? { dimParam: d } : { dimValue: d }) },
      },
    },
  });
  const modes: Onnx.ITensorProto = {
    name: "nodes_modes",
    dataType: DT.UINT8,
    dims: [nodes.featureIds.length],
    rawData: new Uint8Array(nodes.featureIds.length).fill(MODE_BRANCH_LT),
  };
  const trees: Onnx.INodeProto = {
    name: "trees",
    opType: "TreeEnsemble",
    domain: "ai.onnx.ml",
    input: [ONNX_IO.input],
    output: [ONNX_IO.logOdds],
    attribute: [
      int("aggregate_function", AGGREGATE_SUM),
      int("post_transform", POST_NONE),
      int("n_targets", 1),
      ints("tree_roots", roots),
      ints("nodes_featureids", nodes.featureIds),
      tensorAttr("nodes_splits", tensor("nodes_splits", nodes.splits, precision)),
      tensorAttr("nodes_modes", modes),
      ints("nodes_truenodeids", nodes.trueIds),
      ints("nodes_trueleafs", nodes.trueLeafs),
      ints("nodes_falsenodeids", nodes.falseIds),
      ints("nodes_falseleafs", nodes.falseLeafs),
      ints("nodes_missing_value_tracks_true", nodes.missingTrue),
      ints("leaf_targetids", leafWeights.map(() => 0)),
      tensorAttr("leaf_weights", tensor("leaf_weights", leafWeights, precision)),
    ],
  };
  const proto: Onnx.IModelProto = {
    irVersion: 10,
    producerName: "scorewatch-model-variants",
    opsetImport: [{ domain: "", version: 21 }, { domain: "ai.onnx.ml", version: 5 }],
    graph: {
      name: "scorewatch_gbdt_v5",
      node: [trees, {
        name: "to_probability",
        opType: "Sigmoid",
        input: [ONNX_IO.logOdds],
        output: [ONNX_IO.proba],
      }],
      input: [info(ONNX_IO.input, ["N", model.nFeatures])],
      output: [info(ONNX_IO.logOdds, ["N", 1]), info(ONNX_IO.proba, ["N", 1])],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(proto)).finish();
}
