/**
 * From PSI values to verdicts: the conventional bands, the noise-floor gate
 * and the overall verdict of a report.
 *
 * How the noise floor enters (deliberate choice): a PSI gets its band only
 * when it also reaches `noiseMultiple` (default 3) times its no-drift noise
 * floor; below that it is "low", whatever its value. Under no drift PSI is
 * about `floor · χ²(B−1) / (B−1)`, so 3 × floor lies beyond the 99th
 * percentile for 7 or more buckets (it is 2.3 × floor for 11 buckets, deciles
 * plus missing) and beyond the 90th for any bucket count. With large windows the floor is tiny
 * and the bands decide alone; with a few hundred rows (floor ≈ 0.05 for
 * deciles) only a PSI above ~0.15 can alert, which is what sampling noise
 * allows us to claim.
 *
 * @module
 */

/** Conventional PSI bands: < 0.1 low, 0.1–0.2 moderate, 0.2–0.3 high, ≥ 0.3 severe. */
export type DriftLevel = "low" | "moderate" | "high" | "severe";

/** A verdict: a drift level, or too few production rows to judge. */
export type Verdict = DriftLevel | "insufficient_data";

/** Lower bounds of the moderate, high and severe bands. */
export interface PsiThresholds {
  moderate: number;
  high: number;
  severe: number;
}

/** The conventional thresholds. */
export const DEFAULT_PSI_THRESHOLDS: Readonly<PsiThresholds> = Object.freeze({
  moderate: 0.1,
  high: 0.2,
  severe: 0.3,
});

/** Default multiple of the noise floor a PSI must reach to count. */
export const DEFAULT_NOISE_MULTIPLE = 3;

/** Default minimum number of production rows for a verdict. */
export const DEFAULT_MIN_ROWS = 200;

/** Drift levels, least severe first. */
export const DRIFT_LEVELS: readonly DriftLevel[] = ["low", "moderate", "high", "severe"];

/** Position of a level in {@link DRIFT_LEVELS} (0 = low). */
export function levelRank(level: DriftLevel): number {
  return DRIFT_LEVELS.indexOf(level);
}

/** The band of a PSI value. */
export function psiBand(
  value: number,
  thresholds: PsiThresholds = DEFAULT_PSI_THRESHOLDS,
): DriftLevel {
  if (value >= thresholds.severe) return "severe";
  if (value >= thresholds.high) return "high";
  if (value >= thresholds.moderate) return "moderate";
  return "low";
}

/** Options for {@link psiVerdict}. */
export interface PsiVerdictOptions {
  thresholds?: PsiThresholds;
  noiseMultiple?: number;
}

/** True when a PSI clearly exceeds its noise floor (see the module doc). */
export function exceedsNoise(value: number, noiseFloor: number, noiseMultiple?: number): boolean {
  return value >= (noiseMultiple ?? DEFAULT_NOISE_MULTIPLE) * noiseFloor;
}

/** The verdict of one PSI: its band if it clearly exceeds its noise floor, else "low". */
export function psiVerdict(
  value: number,
  noiseFloor: number,
  options: PsiVerdictOptions = {},
): DriftLevel {
  return exceedsNoise(value, noiseFloor, options.noiseMultiple)
    ? psiBand(value, options.thresholds)
    : "low";
}

/** The most severe of some levels ("low" for none). */
export function maxLevel(levels: Iterable<DriftLevel>): DriftLevel {
  let worst: DriftLevel = "low";
  for (const level of levels) if (levelRank(level) > levelRank(worst)) worst = level;
  return worst;
}

/** True when a verdict is at least `level`; "insufficient_data" reaches no level. */
export function reachesLevel(verdict: Verdict, level: DriftLevel): boolean {
  return verdict !== "insufficient_data" && levelRank(verdict) >= levelRank(level);
}

/** Parses a drift level name (e.g. a CLI flag); `undefined` when unknown. */
export function parseDriftLevel(text: string): DriftLevel | undefined {
  return (DRIFT_LEVELS as readonly string[]).includes(text) ? text as DriftLevel : undefined;
}
