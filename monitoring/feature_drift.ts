/**
 * The drift section of one feature: PSI with its noise floor and verdict, the
 * bucket shares on both sides, and the missing-rate change.
 *
 * @module
 */
import { psi, psiNoiseFloor, shares } from "./psi.ts";
import { compareRates } from "./rate_change.ts";
import type { FeatureReference } from "./reference_profile.ts";
import {
  DEFAULT_NOISE_MULTIPLE,
  DEFAULT_PSI_THRESHOLDS,
  exceedsNoise,
  type PsiThresholds,
  psiVerdict,
  type Verdict,
} from "./verdict.ts";

/** Reference and production share of one bucket. */
export interface BinShare {
  label: string;
  ref_share: number;
  prod_share: number;
}

/** Drift statistics of one feature (see `REPORT_FIELDS.md`). */
export interface FeatureDrift {
  type: "numeric" | "categorical";
  /** `null` when the window has no usable row. */
  psi: number | null;
  noise_floor: number | null;
  /** PSI ≥ noise multiple × noise floor. */
  significant: boolean;
  verdict: Verdict;
  bins: BinShare[];
  missing_ref: number;
  missing_prod: number | null;
  missing_delta: number | null;
  missing_alert: boolean;
  n_reference: number;
  n_production: number;
}

/** The decision rules shared by every section of a report. */
export interface SectionRules {
  thresholds?: PsiThresholds;
  noiseMultiple?: number;
  /** Minimum |z| for a rate alert (see `compareRates`). */
  minZ?: number;
  epsilon?: number;
  /** False when the window is below the minimum row count: verdicts are "insufficient_data". */
  sufficient: boolean;
}

/** Options for {@link featureDrift}. */
export interface FeatureDriftOptions extends SectionRules {
  /** Missing-rate change that alerts (absolute). */
  missingDelta: number;
}

/** Pairs bucket labels with both sides' shares. */
export function binShares(
  labels: readonly string[],
  refCounts: ArrayLike<number>,
  prodCounts: ArrayLike<number>,
): BinShare[] {
  const ref = shares(refCounts);
  const prod = shares(prodCounts);
  return labels.map((label, i) => ({ label, ref_share: ref[i], prod_share: prod[i] }));
}

/** PSI, noise floor, significance and verdict of two histograms under the rules. */
export function psiSection(
  refCounts: ArrayLike<number>,
  prodCounts: ArrayLike<number>,
  rules: SectionRules,
): { psi: number | null; noise_floor: number | null; significant: boolean; verdict: Verdict } {
  const value = psi(refCounts, prodCounts, { epsilon: rules.epsilon });
  const floor = psiNoiseFloor(refCounts, prodCounts);
  if (value === null || floor === null) {
    return { psi: value, noise_floor: floor, significant: false, verdict: "insufficient_data" };
  }
  const noiseMultiple = rules.noiseMultiple ?? DEFAULT_NOISE_MULTIPLE;
  return {
    psi: value,
    noise_floor: floor,
    significant: exceedsNoise(value, floor, noiseMultiple),
    verdict: rules.sufficient
      ? psiVerdict(value, floor, {
        thresholds: rules.thresholds ?? DEFAULT_PSI_THRESHOLDS,
        noiseMultiple,
      })
      : "insufficient_data",
  };
}

function sum(counts: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i];
  return s;
}

/** The drift section of one feature from its reference and production bucket counts. */
export function featureDrift(
  ref: FeatureReference,
  prodCounts: ArrayLike<number>,
  options: FeatureDriftOptions,
): FeatureDrift {
  const nRef = sum(ref.counts);
  const nProd = sum(prodCounts);
  const missingIndex = ref.binning.missingIndex;
  const missing = compareRates(
    { count: ref.counts[missingIndex], total: nRef },
    { count: prodCounts[missingIndex], total: nProd },
    { threshold: options.missingDelta, minZ: options.minZ },
  );
  return {
    type: ref.spec.type,
    ...psiSection(ref.counts, prodCounts, options),
    bins: binShares(ref.binning.labels, ref.counts, prodCounts),
    missing_ref: missing.ref ?? 0,
    missing_prod: missing.prod,
    missing_delta: missing.delta,
    missing_alert: options.sufficient && missing.alert,
    n_reference: nRef,
    n_production: nProd,
  };
}
