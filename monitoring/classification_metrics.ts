/**
 * Metrics of a binary classifier from labels and predicted probabilities:
 * ROC AUC, Brier score, log loss, confusion counts and business cost at a
 * threshold, and the cost-minimising threshold.
 *
 * Pure and exact (no sampling, no binning). Used by the training task (cross-
 * validation, test metrics, threshold choice) and by production performance
 * monitoring once outcomes are known.
 *
 * Conventions: `labels[i]` is 1 for the positive class (default) and 0
 * otherwise; `scores[i]` is the predicted probability of the positive class; a
 * row is flagged (rejected) when `score >= threshold`, the rule of `decide()`
 * in `api/scoring/model.ts`.
 *
 * @module
 */
import type { CostMatrix, EvalMetrics } from "../api/scoring/model_meta.ts";

/** Labels (1 = positive) and scores of the same rows. */
export interface Labelled {
  labels: ArrayLike<number>;
  scores: ArrayLike<number>;
}

/** Counts of outcomes at a threshold. */
export interface Confusion {
  truePositive: number;
  falsePositive: number;
  trueNegative: number;
  falseNegative: number;
}

function checkLengths({ labels, scores }: Labelled): number {
  if (labels.length !== scores.length) {
    throw new RangeError(`${labels.length} labels but ${scores.length} scores`);
  }
  return labels.length;
}

function mean(n: number, term: (i: number) => number): number {
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += term(i);
  return sum / n;
}

/** Share of positive labels (the default rate); NaN when empty. */
export function positiveRate(labels: ArrayLike<number>): number {
  return mean(labels.length, (i) => (labels[i] === 1 ? 1 : 0));
}

/**
 * Area under the ROC curve, computed exactly as the Mann–Whitney statistic:
 * the probability that a random positive scores above a random negative, ties
 * counting one half (average ranks). NaN when either class is absent.
 */
export function rocAuc(data: Labelled): number {
  const n = checkLengths(data);
  const ranks = midranks(data.scores);
  let positives = 0;
  let positiveRankSum = 0;
  for (let i = 0; i < n; i++) {
    if (data.labels[i] === 1) {
      positives++;
      positiveRankSum += ranks[i];
    }
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Ranks 1…n of `values` ascending; tied values share their mean rank. */
export function midranks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    for (let k = start; k < end; k++) ranks[order[k]] = (start + 1 + end) / 2;
    start = end;
  }
  return ranks;
}

/** Brier score: mean squared difference between score and label. */
export function brierScore(data: Labelled): number {
  const n = checkLengths(data);
  return mean(n, (i) => (data.scores[i] - data.labels[i]) ** 2);
}

/** Default clipping of probabilities in {@link logLoss}. */
export const LOG_LOSS_EPSILON = 1e-15;

/**
 * Mean negative log-likelihood (natural log). Scores are clipped to
 * `[eps, 1 - eps]` so a confident mistake costs a large finite amount.
 */
export function logLoss(data: Labelled, eps = LOG_LOSS_EPSILON): number {
  const n = checkLengths(data);
  return mean(n, (i) => {
    const p = Math.min(Math.max(data.scores[i], eps), 1 - eps);
    return data.labels[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
  });
}

/** Outcome counts when rows with `score >= threshold` are flagged. */
export function confusionAt(data: Labelled, threshold: number): Confusion {
  const n = checkLengths(data);
  const c: Confusion = { truePositive: 0, falsePositive: 0, trueNegative: 0, falseNegative: 0 };
  for (let i = 0; i < n; i++) {
    const flagged = data.scores[i] >= threshold;
    if (data.labels[i] === 1) flagged ? c.truePositive++ : c.falseNegative++;
    else flagged ? c.falsePositive++ : c.trueNegative++;
  }
  return c;
}

/** Total cost of the outcome counts under a cost matrix. */
export function costOf(c: Confusion, costs: CostMatrix): number {
  return c.truePositive * costs.true_positive + c.falsePositive * costs.false_positive +
    c.trueNegative * costs.true_negative + c.falseNegative * costs.false_negative;
}

/** Share of rows flagged at a threshold; NaN when empty. */
export function flaggedRate(scores: ArrayLike<number>, threshold: number): number {
  return mean(scores.length, (i) => (scores[i] >= threshold ? 1 : 0));
}

/** The cheapest way to flag rows by a threshold (see {@link minCostThreshold}). */
export interface ThresholdChoice {
  /**
   * Every threshold in `(lower, upper]` flags the same rows and costs
   * {@link cost}; `lower` is the highest score left unflagged (−Infinity if
   * none), `upper` the lowest flagged score (+Infinity if none is flagged).
   */
  lower: number;
  upper: number;
  cost: number;
  flagged: number;
}

/**
 * Exhaustive search for the threshold minimising total cost over the given
 * rows: one candidate per distinct score, plus flagging nothing. Returns the
 * optimal interval of thresholds; among equally cheap choices the one that
 * flags the fewest rows.
 */
export function minCostThreshold(data: Labelled, costs: CostMatrix): ThresholdChoice {
  const n = checkLengths(data);
  const { labels, scores } = data;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;
  // Start with nothing flagged, then flag groups of equal scores, highest first.
  const c: Confusion = {
    truePositive: 0,
    falsePositive: 0,
    trueNegative: n - positives,
    falseNegative: positives,
  };
  let best: ThresholdChoice = {
    lower: n > 0 ? scores[order[0]] : -Infinity,
    upper: Infinity,
    cost: costOf(c, costs),
    flagged: 0,
  };
  for (let start = 0; start < n;) {
    let end = start;
    const score = scores[order[start]];
    for (; end < n && scores[order[end]] === score; end++) {
      if (labels[order[end]] === 1) {
        c.truePositive++;
        c.falseNegative--;
      } else {
        c.falsePositive++;
        c.trueNegative--;
      }
    }
    const cost = costOf(c, costs);
    if (cost < best.cost) {
      best = { lower: end < n ? scores[order[end]] : -Infinity, upper: score, cost, flagged: end };
    }
    start = end;
  }
  return best;
}

/** Options for {@link evaluateClassifier}. */
export interface EvaluateOptions {
  threshold: number;
  costs: CostMatrix;
}

/**
 * All metrics of one labelled set at a threshold, in the shape of the model
 * metadata's `metrics` entries (plus the confusion counts).
 */
export function evaluateClassifier(data: Labelled, options: EvaluateOptions): EvalMetrics {
  const confusion = confusionAt(data, options.threshold);
  return {
    n_rows: checkLengths(data),
    default_rate: positiveRate(data.labels),
    roc_auc: rocAuc(data),
    brier: brierScore(data),
    log_loss: logLoss(data),
    cost: costOf(confusion, options.costs),
    flagged_rate: flaggedRate(data.scores, options.threshold),
    confusion: {
      true_positive: confusion.truePositive,
      false_positive: confusion.falsePositive,
      true_negative: confusion.trueNegative,
      false_negative: confusion.falseNegative,
    },
  };
}
