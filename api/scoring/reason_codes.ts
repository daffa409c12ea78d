/**
 * Reason codes: why an application scored as it did. TreeSHAP contributions
 * (log-odds, see `tree_shap.ts`) rank the features that push the score
 * towards default, and each gets the applicant-facing sentence from the model
 * metadata (`features[].reason.text`).
 *
 * The explainer rebuilds the trees from the ONNX bytes the API already loaded
 * (covers travel in `nodes_hitrates`), once at start-up; explaining is then
 * pure CPU work on the encoded rows.
 *
 * @module
 */
import { decodeValue, encodeRows, type Features, type FeatureValue } from "./feature_vector.ts";
import type { FeatureSpec } from "./model_meta.ts";
import type { ScoringModel } from "./model.ts";
import { decodeEnsemble } from "./onnx_tree_codec.ts";
import { createTreeShap } from "./tree_shap.ts";

/** How many reasons an explanation lists at most (adverse-action practice: four). */
export const MAX_REASONS = 4;

/** One feature pushing the score towards default. */
export interface ReasonCode {
  /** Feature name as the API receives it. */
  feature: string;
  /** Its TreeSHAP contribution in log-odds (always > 0 here). */
  contribution: number;
  /** The applicant's value (categorical level or number); null when missing. */
  value: FeatureValue;
  /** Applicant-facing sentence from the metadata, or a generic fallback. */
  reason: string;
}

/** The explanation of one scored row; JSON-serialisable. */
export interface Explanation {
  /** Cover-weighted mean log-odds of the model: where every explanation starts. */
  base_value: number;
  /**
   * Contribution (log-odds) of every feature, in metadata order;
   * `base_value + Σ contributions` is the row's log-odds.
   */
  contributions: Record<string, number>;
  /** Up to {@link MAX_REASONS} positive contributions, largest first. */
  reasons: ReasonCode[];
}

/** Options for {@link topReasons} and {@link createExplainer}. */
export interface ReasonOptions {
  /** Most reasons to list. Default {@link MAX_REASONS}. */
  limit?: number;
}

/** The reason sentence of a feature: the metadata's text, else a generic one. */
export function reasonText(spec: FeatureSpec): string {
  return spec.reason?.text ?? `${spec.name} increases the estimated risk of default`;
}

/** The features of a row and the applicant's values, for {@link topReasons}. */
export interface ReasonContext {
  specs: readonly FeatureSpec[];
  /** The applicant's value of column `j` (called only for the listed reasons). */
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

/**
 * The shortest decimal that reads back as the same float32: how a numeric
 * value decoded from the float32 input matrix is shown (0.1, not
 * 0.10000000149011612).
 */
export function float32Display(v: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(v.toPrecision(digits));
    if (Math.fround(candidate) === v) return candidate;
  }
  return v;
}

/** Explains scored rows of one model; build once with {@link createExplainer}. */
export interface Explainer {
  /** The model's base value (log-odds), shared by every explanation. */
  readonly baseValue: number;
  /**
   * Explains rows of an encoded row-major matrix (the ONNX input layout);
   * values are decoded from it (numbers as float32, shown shortest).
   */
  explainMatrix(matrix: Float32Array): Explanation[];
  /** Explains validated named feature rows; values are shown as given. */
  explainRows(rows: readonly Features[]): Explanation[];
}

/**
 * Builds the explainer for a loaded model from its ONNX bytes. Throws when the
 * ONNX trees and the metadata disagree on the number of features.
 */
export function createExplainer(
  model: Pick<ScoringModel, "meta" | "onnxBytes">,
  options: ReasonOptions = {},
): Explainer {
  const specs = model.meta.features;
  const shap = createTreeShap(decodeEnsemble(model.onnxBytes));
  if (shap.nFeatures !== specs.length) {
    throw new Error(
      `ONNX model has ${shap.nFeatures} input columns, model_meta.json lists ${specs.length} features`,
    );
  }
  const width = specs.length;
  const explain = (matrix: Float32Array, valueOf: (r: number, j: number) => FeatureValue) => {
    const all = shap.explainMatrix(matrix);
    const out: Explanation[] = [];
    for (let r = 0; r < matrix.length / width; r++) {
      const phi = all.subarray(r * width, (r + 1) * width);
      const contributions: Record<string, number> = {};
      specs.forEach((spec, j) => (contributions[spec.name] = phi[j]));
      out.push({
        base_value: shap.expectedValue,
        contributions,
        reasons: topReasons(phi, { specs, valueOf: (j) => valueOf(r, j) }, options),
      });
    }
    return out;
  };
  return {
    baseValue: shap.expectedValue,
    explainMatrix: (matrix) =>
      explain(matrix, (r, j) => {
        const v = decodeValue(specs[j], matrix[r * width + j]);
        return typeof v === "number" ? float32Display(v) : v;
      }),
    explainRows: (rows) =>
      explain(encodeRows(specs, rows), (r, j) => rows[r][specs[j].name] ?? null),
  };
}
