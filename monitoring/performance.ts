/**
 * Model-performance monitoring for one window of logged predictions.
 *
 * - **Realised** (rows whose outcome is known): ROC AUC with a 95% DeLong
 *   confidence interval, Brier score, log loss, default rate, confusion counts
 *   and business cost of the decisions taken, and a reliability table
 *   (calibration bins). Point metrics come from `classification_metrics.ts`.
 * - **Estimated** (every row, labels not needed): CBPE, the idea of NannyML's
 *   confidence-based performance estimation. If scores are calibrated, row i
 *   defaults with probability p_i, so the expected default rate is the mean
 *   score and the expected confusion counts are TP = Σ_rejected p,
 *   FP = Σ_rejected (1 − p), FN = Σ_approved p, TN = Σ_approved (1 − p),
 *   whose cost under the cost matrix is the expected business cost. The
 *   expected ROC AUC is computed exactly as a ratio of expectations (see
 *   {@link expectedRocAuc}).
 * - **Comparison** with the training-time test metrics (`meta.metrics.test`)
 *   and an alert when the realised AUC drops by more than `maxAucDrop` on at
 *   least `minLabelled` labelled rows.
 *
 * Pure: the caller selects the window's rows (e.g. one SQL query per window)
 * and calls {@link evaluatePerformance}; the result is JSON-serialisable (no
 * NaN: undefined quantities are `null`) with the shape {@link PerformanceReport}.
 *
 * @module
 */
import type { CostMatrix, Decision, EvalMetrics } from "../api/scoring/model_meta.ts";
import {
  brierScore,
  type Confusion,
  confusionAt,
  costOf,
  type Labelled,
  logLoss,
  midranks,
  positiveRate,
  rocAuc,
} from "./classification_metrics.ts";

/** One logged prediction, with its outcome once known. */
export interface PredictionOutcome {
  /** Predicted probability of default, in [0, 1]. */
  proba: number;
  /** The decision taken (`decide(proba, threshold)` at scoring time). */
  decision: Decision;
  /** Realised outcome: 1 = defaulted, 0 = repaid; null or absent = not known yet. */
  label?: 0 | 1 | null;
}

/** Default of {@link PerformanceOptions.maxAucDrop}. */
export const DEFAULT_MAX_AUC_DROP = 0.05;
/** Default of {@link PerformanceOptions.minLabelled}. */
export const DEFAULT_MIN_LABELLED = 200;
/** Default of {@link PerformanceOptions.calibrationBins}. */
export const DEFAULT_CALIBRATION_BINS = 10;
/** Two-sided 95% standard-normal quantile. */
const Z_95 = 1.959963984540054;

/** Options for {@link evaluatePerformance}. */
export interface PerformanceOptions {
  /** The cost matrix of the decisions (`meta.cost_matrix`). */
  costs: CostMatrix;
  /** Training-time metrics to compare with (`meta.metrics.test`); none: no comparison. */
  reference?: EvalMetrics;
  /** Alert when reference AUC − realised AUC exceeds this. Default 0.05. */
  maxAucDrop?: number;
  /** …and at least this many labelled rows are in the window. Default 200. */
  minLabelled?: number;
  /** Equal-width probability bins of the reliability table. Default 10. */
  calibrationBins?: number;
}

/** A confidence interval of the ROC AUC. */
export interface AucInterval {
  lower: number;
  upper: number;
  level: 0.95;
  /** DeLong, DeLong & Clarke-Pearson (1988) variance, normal approximation, clipped to [0, 1]. */
  method: "delong";
  /** Standard error of the AUC. */
  std_error: number;
}

/** Outcome counts of the decisions (fractional when expected). */
export interface OutcomeCounts {
  true_positive: number;
  false_positive: number;
  true_negative: number;
  false_negative: number;
}

/** One bin of the reliability table: scores in [lower, upper) (the last bin includes 1). */
export interface CalibrationBin {
  lower: number;
  upper: number;
  /** Labelled rows whose score falls in the bin. */
  n: number;
  /** Mean score of those rows; null when the bin is empty. */
  mean_predicted: number | null;
  /** Share of them that defaulted; null when the bin is empty. */
  observed_rate: number | null;
}

/** Metrics on the labelled rows of the window. */
export interface RealisedPerformance {
  n_rows: number;
  n_defaults: number;
  default_rate: number;
  /** Mean score of the labelled rows (calibration-in-the-large vs `default_rate`). */
  mean_predicted: number;
  /** Null when only one class occurs. */
  roc_auc: number | null;
  /** Null unless each class has at least 2 rows. */
  roc_auc_ci: AucInterval | null;
  brier: number;
  log_loss: number;
  /** Share of rows rejected. */
  flagged_rate: number;
  confusion: OutcomeCounts;
  /** Total business cost of the decisions under the cost matrix. */
  cost: number;
  cost_per_row: number;
  calibration: CalibrationBin[];
  /** Expected calibration error: Σ_bins n·|mean_predicted − observed_rate| / n_rows. */
  calibration_error: number;
}

/** CBPE estimates on every row of the window (labels unused). */
export interface EstimatedPerformance {
  n_rows: number;
  /** Mean score. */
  expected_default_rate: number;
  flagged_rate: number;
  expected_confusion: OutcomeCounts;
  expected_cost: number;
  expected_cost_per_row: number;
  /** See {@link expectedRocAuc}; null when undefined (e.g. all scores 0 or all 1). */
  expected_roc_auc: number | null;
}

/** The training-time test metrics, per row where totals depend on the set size. */
export interface ReferencePerformance {
  n_rows: number;
  default_rate: number;
  roc_auc: number;
  brier: number;
  log_loss: number;
  flagged_rate: number;
  cost_per_row: number;
}

/** Window versus reference; null where either side is missing. */
export interface PerformanceComparison {
  /** reference − realised AUC (positive = worse now). */
  roc_auc_drop: number | null;
  /** reference − CBPE expected AUC. */
  expected_roc_auc_drop: number | null;
  /** realised − reference (positive = worse now). */
  brier_change: number | null;
  default_rate_change: number | null;
  expected_default_rate_change: number | null;
  cost_per_row_change: number | null;
  expected_cost_per_row_change: number | null;
}

/** The realised AUC fell too far below the training AUC. */
export interface PerformanceAlert {
  kind: "auc_drop";
  /** "high" when the reference AUC lies above the whole 95% interval, else "moderate". */
  severity: "moderate" | "high";
  message: string;
  reference_auc: number;
  realised_auc: number;
  drop: number;
  ci: AucInterval;
  n_labelled: number;
}

/** Performance of one window of predictions; JSON-serialisable. */
export interface PerformanceReport {
  /** Predictions the estimates are computed on. */
  n_predictions: number;
  /** Labelled predictions the realised metrics are computed on. */
  n_labelled: number;
  /** Share of the `n_predictions` predictions that have an outcome (0 when there are none). */
  label_coverage: number;
  /** Null when no row is labelled. */
  realised: RealisedPerformance | null;
  /** Null when there are no predictions. */
  estimated: EstimatedPerformance | null;
  /** Null without `options.reference`. */
  reference: ReferencePerformance | null;
  comparison: PerformanceComparison | null;
  alert_rule: { max_auc_drop: number; min_labelled: number };
  alerts: PerformanceAlert[];
}

/** A report for one time window (the caller chooses the bounds). */
export interface PerformanceWindow {
  start: string;
  end: string;
  report: PerformanceReport;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** ROC AUC and its DeLong variance. */
export interface DeLongResult {
  auc: number;
  variance: number;
}

/**
 * DeLong's variance of the empirical AUC via structural components, computed
 * with midranks in O(n log n) (Sun & Xu 2014): V10_i = share of negatives
 * scored below positive i (ties ½), V01_j = share of positives scored above
 * negative j; Var = s²(V10)/m + s²(V01)/n with sample variances. Null unless
 * each class has at least 2 rows. Chosen over Hanley–McNeil, which assumes
 * exponential score distributions; DeLong is distribution-free.
 */
export function deLong(data: Labelled): DeLongResult | null {
  const { labels, scores } = data;
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? pos : neg).push(scores[i]);
  const m = pos.length;
  const n = neg.length;
  if (m < 2 || n < 2) return null;
  const all = midranks([...pos, ...neg]);
  const rp = midranks(pos);
  const rn = midranks(neg);
  const v10 = pos.map((_, i) => (all[i] - rp[i]) / n);
  const v01 = neg.map((_, j) => 1 - (all[m + j] - rn[j]) / m);
  const auc = v10.reduce((s, v) => s + v, 0) / m;
  const sampleVar = (v: number[]) => v.reduce((s, x) => s + (x - auc) ** 2, 0) / (v.length - 1);
  return { auc, variance: sampleVar(v10) / m + sampleVar(v01) / n };
}

/** The 95% DeLong interval of the AUC (see {@link deLong}); null when undefined. */
export function aucInterval(data: Labelled): AucInterval | null {
  const d = deLong(data);
  if (d === null) return null;
  const se = Math.sqrt(d.variance);
  return {
    lower: Math.max(0, d.auc - Z_95 * se),
    upper: Math.min(1, d.auc + Z_95 * se),
    level: 0.95,
    method: "delong",
    std_error: se,
  };
}

/**
 * Reliability table: `bins` equal-width score bins on [0, 1], each with its
 * row count, mean score and observed default rate. Counts sum to the row count.
 */
export function calibrationBins(data: Labelled, bins = DEFAULT_CALIBRATION_BINS): CalibrationBin[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be >= 1, got ${bins}`);
  const n = new Array(bins).fill(0);
  const sumP = new Array(bins).fill(0);
  const sumY = new Array(bins).fill(0);
  for (let i = 0; i < data.scores.length; i++) {
    const b = Math.min(Math.floor(data.scores[i] * bins), bins - 1);
    n[b]++;
    sumP[b] += data.scores[i];
    sumY[b] += data.labels[i] === 1 ? 1 : 0;
  }
  return n.map((count, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    n: count,
    mean_predicted: count > 0 ? sumP[b] / count : null,
    observed_rate: count > 0 ? sumY[b] / count : null,
  }));
}

/**
 * CBPE expected ROC AUC from scores alone, assuming calibrated scores and
 * independent outcomes: the expected number of correctly ordered
 * (positive, negative) pairs over the expected number of such pairs,
 * Σ_{i≠j} p_i (1 − p_j) ψ(p_i, p_j) / Σ_{i≠j} p_i (1 − p_j), ψ = 1 when
 * p_i > p_j, ½ on ties. A ratio of expectations (as NannyML's expected ROC
 * curve), not the expectation of the ratio. Exact, O(n log n). Null when the
 * denominator is 0.
 */
export function expectedRocAuc(scores: ArrayLike<number>): number | null {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let negativesBelow = 0; // Σ (1 − p) over lower score groups
  let numerator = 0;
  let sumP = 0;
  let sumQ = 0;
  let self = 0; // Σ p (1 − p): the i = j pairs
  for (let start = 0; start < n;) {
    let end = start;
    let groupP = 0;
    let groupQ = 0;
    for (; end < n && scores[order[end]] === scores[order[start]]; end++) {
      const p = scores[order[end]];
      groupP += p;
      groupQ += 1 - p;
      self += p * (1 - p);
    }
    numerator += groupP * negativesBelow + 0.5 * groupP * groupQ;
    negativesBelow += groupQ;
    sumP += groupP;
    sumQ += groupQ;
    start = end;
  }
  const denominator = sumP * sumQ - self;
  if (!(denominator > 0)) return null;
  return (numerator - 0.5 * self) / denominator;
}

function outcomeCounts(c: Confusion): OutcomeCounts {
  return {
    true_positive: c.truePositive,
    false_positive: c.falsePositive,
    true_negative: c.trueNegative,
    false_negative: c.falseNegative,
  };
}

function checkRows(rows: readonly PredictionOutcome[]): void {
  rows.forEach((r, i) => {
    if (!(r.proba >= 0 && r.proba <= 1)) {
      throw new RangeError(`row ${i}: proba must be in [0, 1], got ${r.proba}`);
    }
    if (r.decision !== 0 && r.decision !== 1) {
      throw new RangeError(`row ${i}: unknown decision ${JSON.stringify(r.decision)}`);
    }
    if (r.label !== undefined && r.label !== null && r.label !== 0 && r.label !== 1) {
      throw new RangeError(`row ${i}: label must be 0, 1 or null, got ${r.label}`);
    }
  });
}

/** Realised metrics of labelled rows (at least one). */
function realised(rows: readonly PredictionOutcome[], options: PerformanceOptions) {
  const scores = rows.map((r) => r.proba);
  const data: Labelled = { labels: rows.map((r) => r.label as number), scores };
  // The decisions taken, as 0/1 scores flagged at 0.5: confusionAt counts them.
  const flags = rows.map((r) => r.decision);
  const confusion = confusionAt({ labels: data.labels, scores: flags }, 0.5);
  const cost = costOf(confusion, options.costs);
  const bins = calibrationBins(data, options.calibrationBins);
  const n = rows.length;
  const report: RealisedPerformance = {
    n_rows: n,
    n_defaults: confusion.truePositive + confusion.falseNegative,
    default_rate: positiveRate(data.labels),
    mean_predicted: scores.reduce((s, p) => s + p, 0) / n,
    roc_auc: finiteOrNull(rocAuc(data)),
    roc_auc_ci: aucInterval(data),
    brier: brierScore(data),
    log_loss: logLoss(data),
    flagged_rate: (confusion.truePositive + confusion.falsePositive) / n,
    confusion: outcomeCounts(confusion),
    cost,
    cost_per_row: cost / n,
    calibration: bins,
    calibration_error: bins.reduce(
      (s, b) => s + (b.n === 0 ? 0 : b.n * Math.abs(b.mean_predicted! - b.observed_rate!)),
      0,
    ) / n,
  };
  return report;
}

/** CBPE estimates of rows (at least one); labels are ignored. */
function estimated(rows: readonly PredictionOutcome[], costs: CostMatrix): EstimatedPerformance {
  const c: Confusion = { truePositive: 0, falsePositive: 0, trueNegative: 0, falseNegative: 0 };
  let flagged = 0;
  let sumP = 0;
  for (const { proba: p, decision } of rows) {
    sumP += p;
    if (decision === 1) {
      flagged++;
      c.truePositive += p;
      c.falsePositive += 1 - p;
    } else {
      c.falseNegative += p;
      c.trueNegative += 1 - p;
    }
  }
  const n = rows.length;
  const cost = costOf(c, costs);
  return {
    n_rows: n,
    expected_default_rate: sumP / n,
    flagged_rate: flagged / n,
    expected_confusion: outcomeCounts(c),
    expected_cost: cost,
    expected_cost_per_row: cost / n,
    expected_roc_auc: expectedRocAuc(rows.map((r) => r.proba)),
  };
}

function referenceOf(m: EvalMetrics): ReferencePerformance {
  return {
    n_rows: m.n_rows,
    default_rate: m.default_rate,
    roc_auc: m.roc_auc,
    brier: m.brier,
    log_loss: m.log_loss,
    flagged_rate: m.flagged_rate,
    cost_per_row: m.cost / m.n_rows,
  };
}

function compare(
  ref: ReferencePerformance,
  real: RealisedPerformance | null,
  est: EstimatedPerformance | null,
): PerformanceComparison {
  const diff = (a: number | null | undefined, b: number | null | undefined) =>
    a === null || a === undefined || b === null || b === undefined ? null : a - b;
  return {
    roc_auc_drop: diff(ref.roc_auc, real?.roc_auc),
    expected_roc_auc_drop: diff(ref.roc_auc, est?.expected_roc_auc),
    brier_change: diff(real?.brier, ref.brier),
    default_rate_change: diff(real?.default_rate, ref.default_rate),
    expected_default_rate_change: diff(est?.expected_default_rate, ref.default_rate),
    cost_per_row_change: diff(real?.cost_per_row, ref.cost_per_row),
    expected_cost_per_row_change: diff(est?.expected_cost_per_row, ref.cost_per_row),
  };
}

const fmt = (x: number) => x.toFixed(3);

function aucAlert(
  ref: ReferencePerformance | null,
  real: RealisedPerformance | null,
  rule: { max_auc_drop: number; min_labelled: number },
): PerformanceAlert[] {
  if (ref === null || real === null || real.n_rows < rule.min_labelled) return [];
  const { roc_auc: auc, roc_auc_ci: ci } = real;
  if (auc === null || ci === null) return [];
  const drop = ref.roc_auc - auc;
  if (!(drop > rule.max_auc_drop)) return [];
  return [{
    kind: "auc_drop",
    severity: ci.upper < ref.roc_auc ? "high" : "moderate",
    message: `ROC AUC ${fmt(auc)} (95% CI ${fmt(ci.lower)}–${fmt(ci.upper)}, DeLong, ` +
      `${real.n_rows} labelled rows) vs ${fmt(ref.roc_auc)} at training: ` +
      `drop ${fmt(drop)} > ${fmt(rule.max_auc_drop)}`,
    reference_auc: ref.roc_auc,
    realised_auc: auc,
    drop,
    ci,
    n_labelled: real.n_rows,
  }];
}

/** The two samples of a window: recent predictions, and labelled ones. */
export interface WindowRows {
  /** Predictions for the CBPE estimates and the label coverage (labels may be null). */
  predictions: readonly PredictionOutcome[];
  /**
   * Predictions with an outcome, for the realised metrics. They may reach
   * further back than `predictions`: outcomes arrive months after scoring.
   */
  labelled: readonly PredictionOutcome[];
}

/**
 * Performance of one window: realised metrics on `labelled`, CBPE estimates
 * on `predictions`, the comparison with the reference and the AUC-drop
 * alert. Throws a RangeError on a row with a proba outside [0, 1], an
 * unknown decision or a label other than 0, 1, null, and on an unlabelled
 * row in `labelled`.
 */
export function evaluateWindow(rows: WindowRows, options: PerformanceOptions): PerformanceReport {
  checkRows(rows.predictions);
  checkRows(rows.labelled);
  const unlabelled = rows.labelled.findIndex((r) => r.label !== 0 && r.label !== 1);
  if (unlabelled >= 0) throw new RangeError(`labelled row ${unlabelled} has no label`);
  const n = rows.predictions.length;
  const covered = rows.predictions.filter((r) => r.label === 0 || r.label === 1).length;
  const real = rows.labelled.length > 0 ? realised(rows.labelled, options) : null;
  const est = n > 0 ? estimated(rows.predictions, options.costs) : null;
  const ref = options.reference ? referenceOf(options.reference) : null;
  const rule = {
    max_auc_drop: options.maxAucDrop ?? DEFAULT_MAX_AUC_DROP,
    min_labelled: options.minLabelled ?? DEFAULT_MIN_LABELLED,
  };
  return {
    n_predictions: n,
    n_labelled: rows.labelled.length,
    label_coverage: n > 0 ? covered / n : 0,
    realised: real,
    estimated: est,
    reference: ref,
    comparison: ref === null ? null : compare(ref, real, est),
    alert_rule: rule,
    alerts: aucAlert(ref, real, rule),
  };
}

/**
 * Performance of one sample of predictions: realised metrics on its labelled
 * rows, CBPE estimates on all of them (see {@link evaluateWindow}).
 */
export function evaluatePerformance(
  rows: readonly PredictionOutcome[],
  options: PerformanceOptions,
): PerformanceReport {
  checkRows(rows);
  const labelled = rows.filter((r) => r.label === 0 || r.label === 1);
  return evaluateWindow({ predictions: rows, labelled }, options);
}

/** {@link evaluatePerformance} for each window, keeping the window bounds. */
export function performanceByWindow(
  windows: readonly { start: string; end: string; rows: readonly PredictionOutcome[] }[],
  options: PerformanceOptions,
): PerformanceWindow[] {
  return windows.map(({ start, end, rows }) => ({
    start,
    end,
    report: evaluatePerformance(rows, options),
  }));
}
