/**
 * Change of a proportion between the reference and production (missing rate
 * of a feature, reject rate of the model), with an alert rule that needs both
 * a material change and enough rows to tell it from sampling noise.
 *
 * @module
 */

/** `count` rows out of `total` have the property. */
export interface RateSample {
  count: number;
  total: number;
}

/** Options for {@link compareRates}. */
export interface CompareRatesOptions {
  /** Absolute change that is material. */
  threshold: number;
  /**
   * Minimum |z| of the two-proportion test (pooled standard error) for an
   * alert. Default 3: a no-change false alarm about 1 time in 370.
   */
  minZ?: number;
}

/** Reference and production rates, their change and whether it alerts. */
export interface RateChange {
  ref: number | null;
  prod: number | null;
  /** `prod − ref`; `null` when a side has no rows. */
  delta: number | null;
  /** Two-proportion z statistic; 0 when both rates are 0 or both 1. */
  z: number | null;
  alert: boolean;
}

/** Default alert threshold of a missing-rate change (absolute). */
export const DEFAULT_MISSING_DELTA = 0.05;
/** Default alert threshold of a decision (reject) rate change (absolute). */
export const DEFAULT_DECISION_RATE_DELTA = 0.05;
/** Default minimum |z| for a rate alert. */
export const DEFAULT_MIN_Z = 3;

/**
 * Compares two rates. Alerts when `|delta| ≥ threshold` and `|z| ≥ minZ`, so
 * a 5-point jump seen on 30 rows does not page anyone while the same jump on
 * 2000 rows does.
 */
export function compareRates(
  ref: RateSample,
  prod: RateSample,
  options: CompareRatesOptions,
): RateChange {
  if (ref.total === 0 || prod.total === 0) {
    return {
      ref: ref.total > 0 ? ref.count / ref.total : null,
      prod: prod.total > 0 ? prod.count / prod.total : null,
      delta: null,
      z: null,
      alert: false,
    };
  }
  const r = ref.count / ref.total;
  const p = prod.count / prod.total;
  const delta = p - r;
  const pooled = (ref.count + prod.count) / (ref.total + prod.total);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / ref.total + 1 / prod.total));
  const z = se > 0 ? delta / se : 0;
  const alert = Math.abs(delta) >= options.threshold &&
    Math.abs(z) >= (options.minZ ?? DEFAULT_MIN_Z);
  return { ref: r, prod: p, delta, z, alert };
}
