/**
 * The contract between the reason-code explainers (`tree_explainer.ts`,
 * `linear_explainer.ts`, `sampling_shapley.ts`) and `reason_codes.ts`:
 * per-feature contributions of a batch of rows, and how column contributions
 * add up into their raw feature.
 *
 * @module
 */
import type { Features } from "./feature_vector.ts";

/** Per-feature contributions of a batch of rows. */
export interface FeatureAttribution {
  /** The base value (same units as the contributions). */
  base: number;
  /** Row-major `[rows × features]`, features in metadata order. */
  contributions: Float64Array;
}

/** Computes contributions; synchronous methods return directly. */
export type Attributor = (
  rows: readonly Features[],
) => FeatureAttribution | Promise<FeatureAttribution>;

/**
 * Adds column contributions into their features: `out[offset + f] += phi[j]`
 * for each column j of feature f (one-hot columns sum into their feature).
 */
export function sumIntoFeatures(
  phi: ArrayLike<number>,
  featureOfColumn: Int32Array,
  out: Float64Array,
  offset: number,
): void {
  for (let j = 0; j < featureOfColumn.length; j++) out[offset + featureOfColumn[j]] += phi[j];
}
