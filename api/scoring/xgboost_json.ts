/**
 * XGBoost's own JSON model format (`Booster.save_model("model.json")`,
 * XGBoost 1.x and 2.x) → the shared {@link TreeEnsemble}, which
 * `onnx_tree_codec.ts` writes as an ONNX `TreeEnsembleRegressor` + `Sigmoid`.
 *
 * What is kept exactly, so the served probability equals XGBoost's
 * `predict_proba(X)[:, 1]` on float32 inputs:
 *
 * - **Splits**: at node i a row goes to `left_children[i]` when
 *   `x[split_indices[i]] < split_conditions[i]` (strictly less, XGBoost's rule
 *   and ONNX `BRANCH_LT`), else right; thresholds are float32 as XGBoost stores
 *   them, and the runtime compares float32 inputs.
 * - **Missing values**: NaN follows `default_left[i]`
 *   (`nodes_missing_value_tracks_true`).
 * - **Leaves**: a node with `left_children[i] == -1` is a leaf whose value is
 *   `split_conditions[i]` (times the tree's `weight_drop` for DART boosters).
 * - **base_score**: stored as a probability string ("5E-1", or "[5E-1]" in
 *   2.x); the margin starts at its logit, computed in float32 as XGBoost's
 *   `ProbToMargin` does.
 * - **Covers**: `sum_hessian` of each node, for exact TreeSHAP.
 *
 * Refused with a message naming what was found: objectives other than
 * `binary:logistic`/`reg:logistic` (e.g. `binary:logitraw` answers a margin,
 * `multi:softprob` several classes), several classes or targets, `gblinear`,
 * categorical splits. Hand-written: no npm package reads XGBoost models, and
 * the mapping is a few array copies.
 *
 * @module
 */
import { z } from "zod";
import { emptyTree, type Tree, type TreeEnsemble } from "./tree_ensemble.ts";

const num = z.union([z.number(), z.string()]).transform((v) => Number(v));
const flag = z.union([z.number(), z.boolean()]).transform((v) => v === true || v === 1);

const TreeSchema = z.object({
  left_children: z.array(z.number().int()),
  right_children: z.array(z.number().int()),
  split_indices: z.array(z.number().int()),
  split_conditions: z.array(z.number()),
  default_left: z.array(flag),
  sum_hessian: z.array(z.number()),
  split_type: z.array(z.number().int()).optional(),
});

const GbtreeModelSchema = z.object({
  trees: z.array(TreeSchema),
  tree_info: z.array(z.number().int()).optional(),
});

const XgboostJsonSchema = z.object({
  version: z.array(z.number()).optional(),
  learner: z.object({
    learner_model_param: z.object({
      base_score: z.string(),
      num_class: num.optional(),
      num_feature: num,
      num_target: num.optional(),
    }),
    objective: z.object({ name: z.string() }),
    gradient_booster: z.object({
      name: z.string(),
      model: GbtreeModelSchema.optional(),
      gbtree: z.object({ model: GbtreeModelSchema }).optional(),
      weight_drop: z.array(z.number()).optional(),
    }),
    feature_names: z.array(z.string()).optional(),
  }),
});

/** What the conversion read from the file (recorded in the model's provenance). */
export interface XgboostFacts {
  /** XGBoost version that wrote the file, e.g. "1.7.4". */
  version: string | null;
  objective: string;
  booster: "gbtree" | "dart";
  /** base_score as stored (probability). */
  base_score_text: string;
  base_score: number;
  /** Its logit in float32: where every margin starts. */
  base_margin: number;
  trees: number;
  num_feature: number;
  /** Feature names saved with the booster (empty when it was trained on a plain matrix). */
  feature_names: string[];
}

/** The converted model. */
export interface XgboostConversion {
  ensemble: TreeEnsemble;
  facts: XgboostFacts;
}

/** A model the converter will not turn into a probability model; the message says why. */
export class XgboostRefusal extends Error {
  /** Builds the refusal. */
  constructor(message: string) {
    super(message);
    this.name = "XgboostRefusal";
  }
}

const f32 = Math.fround;

/** XGBoost's `ProbToMargin` for logistic objectives, in float32: `-log(1/p - 1)`. */
export function logisticBaseMargin(baseScore: number): number {
  const p = f32(baseScore);
  return f32(-f32(Math.log(f32(f32(1 / p) - 1))));
}

function parseBaseScore(text: string): number {
  const v = Number(text.replace(/^\[|\]$/g, ""));
  if (!(v > 0 && v < 1)) {
    throw new XgboostRefusal(
      `base_score ${JSON.stringify(text)} is not a probability in (0, 1) ` +
        "(a logistic model's base_score must be)",
    );
  }
  return v;
}

function convertTree(t: z.infer<typeof TreeSchema>, i: number, weight: number): Tree {
  const n = t.left_children.length;
  for (const [key, arr] of Object.entries(t)) {
    if (Array.isArray(arr) && arr.length !== n) {
      throw new Error(`tree ${i}: ${key} has ${arr.length} entries, left_children ${n}`);
    }
  }
  if ((t.split_type ?? []).some((s) => s !== 0)) {
    throw new XgboostRefusal(
      `tree ${i} has categorical splits (enable_categorical): not supported; ` +
        "one-hot or ordinal-encode the categories before training",
    );
  }
  const tree: Tree = emptyTree();
  for (let k = 0; k < n; k++) {
    const leaf = t.left_children[k] === -1;
    tree.feature.push(leaf ? -1 : t.split_indices[k]);
    tree.threshold.push(leaf ? 0 : f32(t.split_conditions[k]));
    tree.left.push(leaf ? -1 : t.left_children[k]);
    tree.right.push(leaf ? -1 : t.right_children[k]);
    tree.missingLeft.push(!leaf && t.default_left[k]);
    tree.value.push(leaf ? f32(f32(weight) * f32(t.split_conditions[k])) : 0);
    tree.cover.push(t.sum_hessian[k]);
  }
  return tree;
}

/** Converts parsed XGBoost JSON (see the module comment); throws {@link XgboostRefusal}. */
export function convertXgboostJson(json: unknown): XgboostConversion {
  const parsed = XgboostJsonSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 3).map((i) => i.path.join(".")).join(", ");
    throw new Error(`not an XGBoost JSON model (Booster.save_model): unexpected ${where}`);
  }
  const { learner, version } = parsed.data;
  const objective = learner.objective.name;
  if (objective !== "binary:logistic" && objective !== "reg:logistic") {
    const hint = objective === "binary:logitraw"
      ? " (it answers a margin, not a probability: retrain with binary:logistic)"
      : objective.startsWith("multi:")
      ? " (several classes: the service scores one binary outcome)"
      : "";
    throw new XgboostRefusal(
      `objective ${objective}: only binary:logistic or reg:logistic models answer the ` +
        `probability of a binary outcome${hint}`,
    );
  }
  const p = learner.learner_model_param;
  if ((p.num_class ?? 0) > 1) {
    throw new XgboostRefusal(`multiclass model (num_class ${p.num_class}): not a binary outcome`);
  }
  if ((p.num_target ?? 1) > 1) {
    throw new XgboostRefusal(`${p.num_target} targets: the service scores one binary outcome`);
  }
  const gb = learner.gradient_booster;
  if (gb.name !== "gbtree" && gb.name !== "dart") {
    throw new XgboostRefusal(
      `booster ${gb.name}: only tree boosters (gbtree, dart) are converted`,
    );
  }
  const model = gb.name === "dart" ? gb.gbtree?.model : gb.model;
  if (!model) throw new Error(`${gb.name} booster without trees`);
  if ((model.tree_info ?? []).some((g) => g !== 0)) {
    throw new XgboostRefusal("trees for several output groups: not a binary outcome");
  }
  const weights = gb.name === "dart" ? gb.weight_drop ?? [] : [];
  if (gb.name === "dart" && weights.length !== model.trees.length) {
    throw new Error(`dart: ${weights.length} weights for ${model.trees.length} trees`);
  }
  const trees = model.trees.map((t, i) => convertTree(t, i, weights[i] ?? 1));
  const baseScore = parseBaseScore(p.base_score);
  const baseMargin = logisticBaseMargin(baseScore);
  const nFeatures = p.num_feature;
  trees.forEach((t, i) => {
    const bad = t.feature.find((f) => f >= nFeatures);
    if (bad !== undefined) throw new Error(`tree ${i} splits on feature ${bad} of ${nFeatures}`);
  });
  return {
    ensemble: { baseScore: baseMargin, nFeatures, trees },
    facts: {
      version: version ? version.join(".") : null,
      objective,
      booster: gb.name,
      base_score_text: p.base_score,
      base_score: baseScore,
      base_margin: baseMargin,
      trees: trees.length,
      num_feature: nFeatures,
      feature_names: learner.feature_names ?? [],
    },
  };
}
