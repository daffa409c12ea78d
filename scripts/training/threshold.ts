/**
 * The decision threshold: the one that minimises business cost on
 * out-of-fold predictions of the training set, written as the shortest
 * decimal that flags exactly the same rows.
 *
 * @module
 */
import type { CostMatrix } from "../../api/scoring/model_meta.ts";
import {
  confusionAt,
  costOf,
  type Labelled,
  minCostThreshold,
} from "../../monitoring/classification_metrics.ts";

/** The chosen threshold and how it was found. */
export interface ThresholdDecision {
  /** Reject when `proba_default >= threshold`. */
  threshold: number;
  method: "min_cost_out_of_fold";
  /** Total cost of the out-of-fold predictions at the threshold. */
  cost: number;
  /** Every threshold in `(lower, upper]` flags the same out-of-fold rows. */
  lower: number;
  upper: number;
  /** The cost-minimising threshold of a perfectly calibrated model, for comparison. */
  bayes_threshold: number;
  /** Total cost of the out-of-fold predictions at {@link bayes_threshold}. */
  bayes_threshold_cost: number;
}

/**
 * Threshold a calibrated model would use: reject when the expected cost of
 * approving, `p · c_FN + (1 − p) · c_TN`, reaches that of rejecting,
 * `p · c_TP + (1 − p) · c_FP`.
 */
export function bayesThreshold(costs: CostMatrix): number {
  const rejectGood = costs.false_positive - costs.true_negative;
  const approveBad = costs.false_negative - costs.true_positive;
  return rejectGood / (rejectGood + approveBad);
}

/**
 * The decimal with the fewest digits in `(lower, upper]`, nearest the
 * middle among those; thresholds read better as 0.12 than as 0.1203918.
 */
export function shortestDecimalIn(lower: number, upper: number): number {
  if (!(lower < upper)) throw new RangeError(`empty interval (${lower}, ${upper}]`);
  const middle = (lower + upper) / 2;
  for (let digits = 0; digits <= 17; digits++) {
    const scale = 10 ** digits;
    const lo = Math.floor(lower * scale) + 1;
    const hi = Math.floor(upper * scale);
    if (lo > hi) continue;
    const k = Math.min(Math.max(Math.round(middle * scale), lo), hi);
    const t = Number((k / scale).toFixed(digits));
    if (t > lower && t <= upper) return t;
  }
  return upper;
}

/**
 * Chooses the threshold minimising total cost over out-of-fold predictions
 * (`minCostThreshold`), restricted to (0, 1).
 */
export function chooseThreshold(oof: Labelled, costs: CostMatrix): ThresholdDecision {
  const best = minCostThreshold(oof, costs);
  const lower = Math.max(best.lower, 0);
  const upper = Math.min(best.upper, 1 - 1e-9);
  if (!(lower < upper)) {
    throw new Error(`no threshold in (0, 1) is optimal: interval (${best.lower}, ${best.upper}]`);
  }
  const bayes = bayesThreshold(costs);
  return {
    threshold: shortestDecimalIn(lower, upper),
    method: "min_cost_out_of_fold",
    cost: best.cost,
    lower: best.lower,
    upper: best.upper,
    bayes_threshold: bayes,
    bayes_threshold_cost: costOf(confusionAt(oof, bayes), costs),
  };
}
