/**
 * Reason codes for tree ensembles: exact path-dependent TreeSHAP
 * (`tree_shap.ts`) over the trees of the model's own ONNX tree-ensemble node,
 * rebuilt from the served bytes, so the explanation can never drift from the
 * model. The margin explained (which class or target weights, see
 * `decodeTreeNode`) and the link to the served probability were checked on the
 * reference sample when the model was trained or imported.
 *
 * Covers — the share of rows going each way at a split, which path-dependent
 * TreeSHAP needs — come from the file's `nodes_hitrates` for models written
 * here (hessian sums from training or XGBoost's `sum_hessian`), or from a
 * covers file computed at import by passing the reference sample through the
 * trees, for files that carry none (other exporters write `nodes_hitrates` = 1
 * or nothing). The user's model bytes stay as they were.
 *
 * @module
 */
import { type Attributor, sumIntoFeatures } from "./attribution.ts";
import type { ColumnEncoder } from "./feature_vector.ts";
import type { ReasonsSpec } from "./model_meta.ts";
import { decodeModel, decodeTreeNode, findTreeNode } from "./onnx_tree_codec.ts";
import type { TreeEnsemble } from "./tree_ensemble.ts";
import { createTreeShap } from "./tree_shap.ts";

type TreeSpec = Extract<ReasonsSpec, { method: "tree_shap" }>;

/** The trees a `tree_shap` spec explains, with their covers. */
export function explainedTrees(
  spec: TreeSpec,
  source: { onnxBytes: Uint8Array; width: number; covers?: readonly number[] },
): TreeEnsemble {
  const model = decodeModel(source.onnxBytes);
  const node = findTreeNode(model, spec.node);
  const fromFile = spec.covers.source === "file";
  if (fromFile && !source.covers) throw new Error("tree_shap: the covers file was not read");
  return decodeTreeNode(node, {
    plus: spec.plus,
    minus: spec.minus,
    nFeatures: source.width,
    covers: fromFile ? source.covers : undefined,
  });
}

/** The attributor of a `tree_shap` spec: TreeSHAP per column, summed into features. */
export function treeAttributor(
  spec: TreeSpec,
  source: {
    onnxBytes: Uint8Array;
    encoder: ColumnEncoder;
    features: number;
    covers?: readonly number[];
  },
): Attributor {
  const { encoder } = source;
  const shap = createTreeShap(
    explainedTrees(spec, {
      onnxBytes: source.onnxBytes,
      width: encoder.width,
      covers: source.covers,
    }),
  );
  const width = encoder.width;
  const phi = new Float64Array(width);
  return (rows) => {
    const matrix = encoder.encode(rows);
    const out = new Float64Array(rows.length * source.features);
    for (let r = 0; r < rows.length; r++) {
      shap.explainRow(matrix.subarray(r * width, (r + 1) * width), phi);
      sumIntoFeatures(phi, encoder.featureOfColumn, out, r * source.features);
    }
    return { base: shap.expectedValue, contributions: out };
  };
}
