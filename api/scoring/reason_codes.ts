/**
 * Reason codes: why an application scored as it did. Each model carries one
 * explainer, chosen by its metadata (`reasons.method`):
 *
 * - `tree_shap`: exact path-dependent TreeSHAP over the model's own trees
 *   (`tree_explainer.ts`);
 * - `linear`: exact contributions of an affine model in log-odds
 *   (`linear_explainer.ts`);
 * - `sampling`: permutation-sampling Shapley values against background rows
 *   of the reference sample, for any other graph (`sampling_shapley.ts`);
 * - `none`: the model gives no reasons, and the explainer says why.
 *
 * Every method attributes per **raw feature** (the columns of a one-hot
 * feature add up into it), so reasons name `sub_grade`, not `sub_grade=C4`,
 * and every method is additive: `base_value + Σ contributions` is the row's
 * log-odds (or probability, for models whose trees average probabilities).
 * The features with the largest positive contributions become the reasons,
 * each with the applicant-facing sentence from the metadata.
 *
 * @module
 */
import type { Attributor } from "./attribution.ts";
import type { ColumnEncoder, Features, FeatureValue } from "./feature_vector.ts";
import type { FeatureSpec, ModelMeta, ReasonMethod, ReasonUnits } from "./model_meta.ts";
import { linearAttributor } from "./linear_explainer.ts";
import { samplingAttributor } from "./sampling_shapley.ts";
import { treeAttributor } from "./tree_explainer.ts";

/** How many reasons an explanation lists at most (adverse-action practice: four). */
export const MAX_REASONS = 4;

/** One feature pushing the score towards default. */
export interface ReasonCode {
  /** Feature name as the API receives it. */
  feature: string;
  /** Its contribution (log-odds, see the model's `reasons.units`; always > 0 here). */
  contribution: number;
  /** The applicant's value (categorical level or number); null when missing. */
  value: FeatureValue;
  /** Applicant-facing sentence from the metadata, or a generic fallback. */
  reason: string;
}

/** The explanation of one scored row; JSON-serialisable. */
export interface Explanation {
  /** Where every explanation of this model starts (its mean log-odds, or the like). */
  base_value: number;
  /**
   * Contribution of every feature, in metadata order;
   * `base_value + Σ contributions` is the row's log-odds (or probability).
   */
  contributions: Record<string, number>;
  /** Up to {@link MAX_REASONS} positive contributions, largest first. */
  reasons: ReasonCode[];
}

export type { Attributor, FeatureAttribution } from "./attribution.ts";

/** Options for {@link topReasons} and {@link createExplainer}. */
export interface ReasonOptions {
  /** Most reasons to list. Default {@link MAX_REASONS}. */
  limit?: number;
}

/** Explains scored rows of one model; built once per model by {@link createExplainer}. */
export interface Explainer {
  readonly method: ReasonMethod;
  /** Units of the contributions; null when the model gives no reasons. */
  readonly units: ReasonUnits | null;
  /** Why the model gives no reasons (method `none`); null otherwise. */
  readonly unavailable: string | null;
  /** Explains validated named feature rows; values are shown as given. Rejects for `none`. */
  explainRows(rows: readonly Features[]): Promise<Explanation[]>;
}

/** The reason sentence of a feature: the metadata's text, else a generic one. */
export function reasonText(spec: FeatureSpec): string {
  return spec.reason?.text ?? `${spec.name} increases the estimated risk of default`;
}

/** The features of a row and the applicant's values, for {@link topReasons}. */
export interface ReasonContext {
  specs: readonly FeatureSpec[];
  /** The applicant's value of feature `j` (called only for the listed reasons). */
  valueOf: (j: number) => FeatureValue;
}

/**
 * The features with positive contributions, largest first (ties keep
 * metadata order), at most `limit`; empty when nothing pushes towards default.
 * `contributions` are in `specs` order.
 */
export function topReasons(
  contributions: ArrayLike<number>,
  context: ReasonContext,
  options: ReasonOptions = {},
): ReasonCode[] {
  const { specs, valueOf } = context;
  if (contributions.length !== specs.length) {
    throw new RangeError(`${contributions.length} contributions for ${specs.length} features`);
  }
  const limit = options.limit ?? MAX_REASONS;
  return specs
    .map((spec, j) => ({ spec, j, c: contributions[j] }))
    .filter((x) => x.c > 0)
    .sort((a, b) => b.c - a.c || a.j - b.j)
    .slice(0, limit)
    .map(({ spec, j, c }) => ({
      feature: spec.name,
      contribution: c,
      value: valueOf(j),
      reason: reasonText(spec),
    }));
}

/** What an explainer is built from: the parts of a loaded model it reads. */
export interface ExplainerSource {
  meta: Pick<ModelMeta, "features" | "reasons">;
  /** The ONNX bytes (tree explanations read the trees from them). */
  onnxBytes: Uint8Array;
  encoder: ColumnEncoder;
  /** Scores an encoded matrix (sampling explanations run the model). */
  scoreMatrix(matrix: Float32Array): Promise<Float64Array>;
  /** Files the method needs, read by `loadModel`. */
  explainerData: ExplainerData;
}

/** Data an explainer needs beyond the metadata and the ONNX bytes. */
export interface ExplainerData {
  /** `tree_shap` with a covers file: one cover per position of the node's `nodes_*` lists. */
  covers?: readonly number[];
  /** `sampling`: the background rows (from the reference sample). */
  background?: readonly Features[];
}

function attributorFor(source: ExplainerSource): Attributor | null {
  const spec = source.meta.reasons;
  switch (spec.method) {
    case "tree_shap":
      return treeAttributor(spec, {
        onnxBytes: source.onnxBytes,
        encoder: source.encoder,
        features: source.meta.features.length,
        covers: source.explainerData.covers,
      });
    case "linear":
      return linearAttributor(spec, {
        encoder: source.encoder,
        features: source.meta.features.length,
      });
    case "sampling":
      if (!source.explainerData.background?.length) {
        throw new Error("sampling reasons need background rows from the reference sample");
      }
      return samplingAttributor(spec, {
        encoder: source.encoder,
        features: source.meta.features.length,
        background: source.explainerData.background,
        score: (m) => source.scoreMatrix(m),
      });
    case "none":
      return null;
  }
}

/**
 * Builds the explainer of a model (see the module comment). Throws when the
 * metadata's method does not fit the model (e.g. trees that read columns the
 * encoding does not have).
 */
export function createExplainer(source: ExplainerSource, options: ReasonOptions = {}): Explainer {
  const specs = source.meta.features;
  const spec = source.meta.reasons;
  const attribute = attributorFor(source);
  if (attribute === null || spec.method === "none") {
    const statement = spec.method === "none" ? spec.statement : "no reasons";
    return {
      method: "none",
      units: null,
      unavailable: statement,
      explainRows: () => Promise.reject(new Error(`this model gives no reasons: ${statement}`)),
    };
  }
  const width = specs.length;
  return {
    method: spec.method,
    units: spec.units,
    unavailable: null,
    async explainRows(rows) {
      const { base, contributions: all } = await attribute(rows);
      return rows.map((row, r) => {
        const phi = all.subarray(r * width, (r + 1) * width);
        const contributions: Record<string, number> = {};
        specs.forEach((s, j) => (contributions[s.name] = phi[j]));
        return {
          base_value: base,
          contributions,
          reasons: topReasons(phi, { specs, valueOf: (j) => row[specs[j].name] ?? null }, options),
        };
      });
    },
  };
}

/** A human name of a reason method, for documents and pages. */
export function describeReasonMethod(reasons: ModelMeta["reasons"]): string {
  switch (reasons.method) {
    case "tree_shap":
      return "exact TreeSHAP (path-dependent) over the model's trees";
    case "linear":
      return "exact contributions of the linear model";
    case "sampling":
      return `sampling Shapley values (${reasons.permutations} permutations × ` +
        `${reasons.background_rows.length} reference rows, ` +
        `${reasons.evaluations_per_row} model runs per row)`;
    case "none":
      return `none: ${reasons.statement}`;
  }
}
