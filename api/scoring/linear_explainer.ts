/**
 * Reason codes for linear models (logistic regression, also behind an
 * imputer and a scaler, as skl2onnx writes a scikit-learn pipeline): exact
 * contributions in log-odds.
 *
 * The metadata holds the model folded into one affine function of the
 * columns, `z = intercept + Σ w_j · fill(x_j)` (`fill` replaces a missing
 * value as the pipeline's imputer does; the scaler is folded into `w` and the
 * intercept), checked against the served probabilities at import. With the
 * reference sample's column means `m_j`, column j contributes
 * `w_j · (fill(x_j) − m_j)` — the Shapley value of a linear model with
 * independent features — and the base value is `intercept + Σ w_j m_j`, so
 * `base + Σ contributions = z` exactly.
 *
 * @module
 */
import { type Attributor, sumIntoFeatures } from "./attribution.ts";
import type { ColumnEncoder } from "./feature_vector.ts";
import type { ReasonsSpec } from "./model_meta.ts";

type LinearSpec = Extract<ReasonsSpec, { method: "linear" }>;

/** The log-odds of one encoded row under a linear spec. */
export function linearLogOdds(spec: LinearSpec, row: ArrayLike<number>): number {
  let z = spec.intercept;
  for (let j = 0; j < spec.weights.length; j++) {
    const x = row[j];
    z += spec.weights[j] * (Number.isNaN(x) ? spec.fill[j] ?? NaN : x);
  }
  return z;
}

/** The attributor of a `linear` spec. */
export function linearAttributor(
  spec: LinearSpec,
  source: { encoder: ColumnEncoder; features: number },
): Attributor {
  const { encoder } = source;
  const width = encoder.width;
  if (spec.weights.length !== width) {
    throw new Error(`linear reasons: ${spec.weights.length} weights for ${width} columns`);
  }
  const base = spec.weights.reduce((s, w, j) => s + w * spec.means[j], spec.intercept);
  const phi = new Float64Array(width);
  return (rows) => {
    const matrix = encoder.encode(rows);
    const out = new Float64Array(rows.length * source.features);
    for (let r = 0; r < rows.length; r++) {
      for (let j = 0; j < width; j++) {
        const x = matrix[r * width + j];
        const filled = Number.isNaN(x) ? spec.fill[j] ?? NaN : x;
        phi[j] = spec.weights[j] * (filled - spec.means[j]);
      }
      sumIntoFeatures(phi, encoder.featureOfColumn, out, r * source.features);
    }
    return { base, contributions: out };
  };
}
