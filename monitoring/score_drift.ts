/**
 * Drift of the model's output: PSI of `proba_default` against the reference
 * sample's out-of-fold scores (bins fitted on those), and the change of the
 * decision (reject) rate.
 *
 * The reference decision rate applies the model threshold to the reference
 * scores; the production rate counts the decisions actually logged (each row
 * was decided with the threshold of its own model version).
 *
 * @module
 */
import { type BinShare, binShares, psiSection, type SectionRules } from "./feature_drift.ts";
import { compareRates } from "./rate_change.ts";
import type { ScoreReference } from "./reference_profile.ts";
import type { Verdict } from "./verdict.ts";

/** Production side of the score: counts per reference score bin and rejects. */
export interface ScoreCounts {
  counts: ArrayLike<number>;
  rejects: number;
  total: number;
}

/** Score drift section of a report (see `REPORT_FIELDS.md`). */
export interface ScoreDrift {
  psi: number | null;
  noise_floor: number | null;
  significant: boolean;
  verdict: Verdict;
  bins: BinShare[];
  /** Threshold applied to the reference scores. */
  threshold: number;
  decision_rate_ref: number;
  decision_rate_prod: number | null;
  /** `decision_rate_prod − decision_rate_ref`. */
  delta: number | null;
  decision_rate_alert: boolean;
}

/** Options for {@link scoreDrift}. */
export interface ScoreDriftOptions extends SectionRules {
  /** Decision-rate change that alerts (absolute). */
  decisionRateDelta: number;
}

/** The score drift section from the reference profile's score and the production counts. */
export function scoreDrift(
  ref: ScoreReference,
  prod: ScoreCounts,
  options: ScoreDriftOptions,
): ScoreDrift {
  const rate = compareRates(
    { count: ref.rejects, total: ref.total },
    { count: prod.rejects, total: prod.total },
    { threshold: options.decisionRateDelta, minZ: options.minZ },
  );
  return {
    ...psiSection(ref.counts, prod.counts, options),
    bins: binShares(ref.binning.labels, ref.counts, prod.counts),
    threshold: ref.threshold,
    decision_rate_ref: ref.rejects / ref.total,
    decision_rate_prod: rate.prod,
    delta: rate.delta,
    decision_rate_alert: options.sufficient && rate.alert,
  };
}
