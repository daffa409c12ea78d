/**
 * Champion against challenger on the same applications: what a risk team
 * looks at before promoting a model (or rolling one back).
 *
 * - **Score distributions** of both models on common equal-width bins.
 * - **Decision agreement**: the share of applications both decide alike,
 *   with a 95% Wilson interval.
 * - **Swap set**: the 2×2 table of decisions (approved by one, rejected by the
 *   other), each cell with its count and, once outcomes are fed back, its
 *   realised default rate (Wilson interval). The off-diagonal cells are the
 *   applications a promotion would change.
 * - **Realised metrics side by side** on the paired rows with an outcome:
 *   ROC AUC, Brier score and business cost per application, each with its
 *   95% interval, and the difference (challenger − champion) with its
 *   interval and two-sided p-value. The rows are paired, so the differences
 *   use the paired variance: DeLong, DeLong & Clarke-Pearson (1988) for the
 *   AUCs of two correlated ROC curves (structural components, O(n log n) with
 *   midranks as Sun & Xu 2014), and the mean of per-row differences for Brier
 *   and cost (both are means of per-row terms, so the central limit theorem
 *   applies directly; no resampling, the same numbers on every run).
 *
 * Inputs are what the store's comparison reads return: cells aggregated in
 * the database over the whole window (distributions, agreement, swap set)
 * and a bounded sample of labelled pairs (realised metrics). Pure, and
 * JSON-serialisable output (undefined quantities are `null`).
 *
 * Libraries: simple-statistics (sample variance and covariance, erf for p-values).
 *
 * @module
 */
import { errorFunction, sampleCovariance, sampleVariance } from "simple-statistics";
import type { CostMatrix } from "../api/scoring/model_meta.ts";
import type { PairCell, PairedOutcome } from "../api/store/mod.ts";
import { midranks } from "./classification_metrics.ts";

/** Confidence level of every interval. */
export const LEVEL = 0.95;
/**
 * Two-sided 95% standard-normal quantile (a constant: simple-statistics'
 * `probit(0.975)` is 1.9572, off in the third decimal).
 */
const Z = 1.959963984540054;

/** A two-sided interval. */
export interface Interval {
  lower: number;
  upper: number;
}

/** One model's value of a metric. */
export interface MetricValue {
  value: number | null;
  ci: Interval | null;
}

/** challenger − champion. */
export interface MetricDifference extends MetricValue {
  std_error: number | null;
  /** Two-sided p-value of "no difference" (normal approximation). */
  p_value: number | null;
}

/** One metric of both models on the same rows. */
export interface MetricComparison {
  champion: MetricValue;
  challenger: MetricValue;
  difference: MetricDifference;
  lower_is_better: boolean;
  method: "delong_paired" | "paired_mean";
}

/** One cell of the swap set. */
export interface SwapCell {
  champion_decision: 0 | 1;
  challenger_decision: 0 | 1;
  n: number;
  /** Share of the paired rows. */
  share: number | null;
  /** Rows of the cell with an outcome, and how many of them defaulted. */
  labelled: number;
  defaults: number;
  default_rate: number | null;
  default_rate_ci: Interval | null;
}

/** Realised metrics on the labelled sample. */
export interface RealisedComparison {
  n_rows: number;
  n_defaults: number;
  roc_auc: MetricComparison;
  brier: MetricComparison;
  cost_per_row: MetricComparison;
}

/** The comparison of two versions on a window; JSON-serialisable. */
export interface ModelComparison {
  champion: string;
  challenger: string;
  level: typeof LEVEL;
  /** Paired rows: applications both versions scored. */
  n_rows: number;
  /** Which version answered them. */
  answered_by: { champion: number; challenger: number };
  /** The common score bins, [lower, upper) (the last includes 1). */
  bins: Interval[];
  /** Paired rows per bin, per model. */
  distribution: { champion: number[]; challenger: number[] };
  reject_rate: { champion: number | null; challenger: number | null };
  agreement: { agree: number; rate: number | null; ci: Interval | null };
  /** (approve, approve), (approve, reject), (reject, approve), (reject, reject): champion first. */
  swap_set: SwapCell[];
  /** Paired rows with an outcome in the window. */
  n_labelled: number;
  /** Null without labelled rows. */
  realised: RealisedComparison | null;
  /** True when the realised metrics read only the most recent of the labelled rows. */
  realised_sampled: boolean;
}

/** What {@link compareModels} needs besides the rows. */
export interface ComparisonOptions {
  champion: string;
  challenger: string;
  /** The bin count the cells were aggregated with. */
  bins: number;
  /** The lender's costs of each outcome (the champion's model metadata). */
  costs: CostMatrix;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** Wilson score interval of a proportion; null without trials. */
export function wilsonInterval(successes: number, trials: number): Interval | null {
  if (!(trials > 0)) return null;
  const p = successes / trials;
  const z2 = Z * Z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (Z / (1 + z2 / trials)) * Math.sqrt(p * (1 - p) / trials + z2 / (4 * trials ** 2));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Two-sided p-value of a standard-normal statistic. */
function pValue(z: number): number {
  return 1 - errorFunction(Math.abs(z) / Math.SQRT2);
}

function normalInterval(value: number, se: number, clip?: [number, number]): Interval {
  const lower = value - Z * se;
  const upper = value + Z * se;
  return clip
    ? { lower: Math.max(clip[0], lower), upper: Math.min(clip[1], upper) }
    : { lower, upper };
}

function difference(value: number | null, variance: number | null): MetricDifference {
  if (value === null || variance === null || !(variance >= 0)) {
    return { value, ci: null, std_error: null, p_value: null };
  }
  const se = Math.sqrt(variance);
  return {
    value,
    ci: normalInterval(value, se),
    std_error: se,
    p_value: se > 0 ? pValue(value / se) : value === 0 ? 1 : 0,
  };
}

/** DeLong's structural components of one model's scores (positives, negatives). */
function components(pos: number[], neg: number[]): { v10: number[]; v01: number[] } {
  const m = pos.length;
  const n = neg.length;
  const all = midranks([...pos, ...neg]);
  const rp = midranks(pos);
  const rn = midranks(neg);
  return {
    v10: pos.map((_, i) => (all[i] - rp[i]) / n),
    v01: neg.map((_, j) => 1 - (all[m + j] - rn[j]) / m),
  };
}

const meanOf = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;

/** AUCs of two models on the same labelled rows and their DeLong (co)variances. */
export interface PairedDeLong {
  auc: [number, number];
  /** Var(AUC₀), Var(AUC₁), Cov(AUC₀, AUC₁); null unless each class has at least 2 rows. */
  variance: [number, number] | null;
  covariance: number | null;
}

/**
 * Paired DeLong: the AUC of each score vector and, with at least two rows of
 * each class, their variances and covariance S = S10/m + S01/n from the
 * structural components. Null when a class is absent.
 */
export function pairedDeLong(
  labels: ArrayLike<number>,
  scores: [ArrayLike<number>, ArrayLike<number>],
): PairedDeLong | null {
  const split = (s: ArrayLike<number>) => {
    const pos: number[] = [];
    const neg: number[] = [];
    for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? pos : neg).push(s[i]);
    return components(pos, neg);
  };
  const m = Array.from(labels).filter((y) => y === 1).length;
  const n = labels.length - m;
  if (m === 0 || n === 0) return null;
  const [a, b] = scores.map(split);
  const auc: [number, number] = [meanOf(a.v10), meanOf(b.v10)];
  if (m < 2 || n < 2) return { auc, variance: null, covariance: null };
  const s = (x: number[], y: number[]) => sampleCovariance(x, y);
  return {
    auc,
    variance: [
      sampleVariance(a.v10) / m + sampleVariance(a.v01) / n,
      sampleVariance(b.v10) / m + sampleVariance(b.v01) / n,
    ],
    covariance: s(a.v10, b.v10) / m + s(a.v01, b.v01) / n,
  };
}

function aucComparison(rows: readonly PairedOutcome[]): MetricComparison {
  const labels = rows.map((r) => r.label);
  const d = pairedDeLong(labels, [rows.map((r) => r.champion), rows.map((r) => r.challenger)]);
  const side = (k: 0 | 1): MetricValue => ({
    value: d ? d.auc[k] : null,
    ci: d?.variance ? normalInterval(d.auc[k], Math.sqrt(d.variance[k]), [0, 1]) : null,
  });
  const diffVariance = d?.variance && d.covariance !== null
    ? d.variance[0] + d.variance[1] - 2 * d.covariance
    : null;
  return {
    champion: side(0),
    challenger: side(1),
    // Rounding can leave a tiny negative variance for identical rankings.
    difference: difference(
      d ? d.auc[1] - d.auc[0] : null,
      diffVariance === null ? null : Math.max(0, diffVariance),
    ),
    lower_is_better: false,
    method: "delong_paired",
  };
}

/** Side by side means of two per-row terms, with the paired interval of their difference. */
function meanComparison(
  champion: number[],
  challenger: number[],
  clip?: [number, number],
): MetricComparison {
  const n = champion.length;
  const side = (v: number[]): MetricValue => {
    const value = meanOf(v);
    return {
      value,
      ci: n >= 2 ? normalInterval(value, Math.sqrt(sampleVariance(v) / n), clip) : null,
    };
  };
  const diffs = champion.map((a, i) => challenger[i] - a);
  return {
    champion: side(champion),
    challenger: side(challenger),
    difference: difference(meanOf(diffs), n >= 2 ? sampleVariance(diffs) / n : null),
    lower_is_better: true,
    method: "paired_mean",
  };
}

function costOfDecision(decision: 0 | 1, label: 0 | 1, c: CostMatrix): number {
  if (decision === 1) return label === 1 ? c.true_positive : c.false_positive;
  return label === 1 ? c.false_negative : c.true_negative;
}

/** Realised metrics of both models on labelled pairs (at least one). */
export function realisedComparison(
  rows: readonly PairedOutcome[],
  costs: CostMatrix,
): RealisedComparison {
  const sq = (p: number, y: number) => (p - y) ** 2;
  return {
    n_rows: rows.length,
    n_defaults: rows.filter((r) => r.label === 1).length,
    roc_auc: aucComparison(rows),
    brier: meanComparison(
      rows.map((r) => sq(r.champion, r.label)),
      rows.map((r) => sq(r.challenger, r.label)),
      [0, 1],
    ),
    cost_per_row: meanComparison(
      rows.map((r) => costOfDecision(r.champion_decision, r.label, costs)),
      rows.map((r) => costOfDecision(r.challenger_decision, r.label, costs)),
      [0, Infinity],
    ),
  };
}

function checkCells(cells: readonly PairCell[], bins: number): void {
  cells.forEach((c, i) => {
    const inRange = (b: number) => Number.isInteger(b) && b >= 0 && b < bins;
    if (!inRange(c.champion_bin) || !inRange(c.challenger_bin)) {
      throw new RangeError(`cell ${i}: bin outside 0…${bins - 1}`);
    }
    if (!(Number.isInteger(c.n) && c.n >= 0)) throw new RangeError(`cell ${i}: bad count ${c.n}`);
  });
}

function checkPairs(rows: readonly PairedOutcome[]): void {
  rows.forEach((r, i) => {
    for (const p of [r.champion, r.challenger]) {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`labelled row ${i}: score ${p} not in [0, 1]`);
    }
    if (r.label !== 0 && r.label !== 1) throw new RangeError(`labelled row ${i}: no label`);
  });
}

/**
 * The comparison of a window: distributions, agreement and swap set from
 * `cells` (every paired row of the window), realised metrics from `labelled`
 * (the most recent paired rows with an outcome). Throws a RangeError on a
 * cell outside the bins, a score outside [0, 1] or an unlabelled pair.
 */
export function compareModels(
  cells: readonly PairCell[],
  labelled: readonly PairedOutcome[],
  options: ComparisonOptions,
): ModelComparison {
  const bins = options.bins;
  if (!(Number.isInteger(bins) && bins >= 1)) {
    throw new RangeError(`bins must be >= 1, got ${bins}`);
  }
  checkCells(cells, bins);
  checkPairs(labelled);
  const champion = new Array<number>(bins).fill(0);
  const challenger = new Array<number>(bins).fill(0);
  const swap = [0, 1].flatMap((a) => [0, 1].map((b) => ({ a, b, n: 0, labelled: 0, defaults: 0 })));
  let n = 0;
  let byChallenger = 0;
  let nLabelled = 0;
  for (const c of cells) {
    n += c.n;
    if (c.challenger_answered) byChallenger += c.n;
    champion[c.champion_bin] += c.n;
    challenger[c.challenger_bin] += c.n;
    const cell = swap[c.champion_decision * 2 + c.challenger_decision];
    cell.n += c.n;
    if (c.label !== null) {
      cell.labelled += c.n;
      nLabelled += c.n;
      if (c.label === 1) cell.defaults += c.n;
    }
  }
  const agree = swap[0].n + swap[3].n;
  return {
    champion: options.champion,
    challenger: options.challenger,
    level: LEVEL,
    n_rows: n,
    answered_by: { champion: n - byChallenger, challenger: byChallenger },
    bins: Array.from({ length: bins }, (_, k) => ({ lower: k / bins, upper: (k + 1) / bins })),
    distribution: { champion, challenger },
    reject_rate: {
      champion: ratio(swap[2].n + swap[3].n, n),
      challenger: ratio(swap[1].n + swap[3].n, n),
    },
    agreement: { agree, rate: ratio(agree, n), ci: wilsonInterval(agree, n) },
    swap_set: swap.map((s) => ({
      champion_decision: s.a as 0 | 1,
      challenger_decision: s.b as 0 | 1,
      n: s.n,
      share: ratio(s.n, n),
      labelled: s.labelled,
      defaults: s.defaults,
      default_rate: ratio(s.defaults, s.labelled),
      default_rate_ci: wilsonInterval(s.defaults, s.labelled),
    })),
    n_labelled: nLabelled,
    realised: labelled.length > 0 ? realisedComparison(labelled, options.costs) : null,
    realised_sampled: labelled.length < nLabelled,
  };
}
