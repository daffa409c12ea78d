/**
 * The live score distribution of a window: production counts per rollup
 * score bin, compared with the reference sample's.
 *
 * @module
 */
import { SCORE_BIN_COUNT, SCORE_BIN_EDGES } from "../../api/store/histograms.ts";
import type { Store } from "../../api/store/mod.ts";
import type { ScoreLive } from "../shared/types.ts";
import { scoreMix, type SiteReference } from "./reference.ts";
import { ratio } from "./series.ts";
import type { WindowRange } from "./window.ts";

/** Labels of the score bins, e.g. `0.05–0.10`. */
export const SCORE_BIN_LABELS: readonly string[] = Array.from(
  { length: SCORE_BIN_COUNT },
  (_, k) => {
    const lo = k === 0 ? 0 : SCORE_BIN_EDGES[k - 1];
    const hi = k === SCORE_BIN_COUNT - 1 ? 1 : SCORE_BIN_EDGES[k];
    return `${lo.toFixed(2)}–${hi.toFixed(2)}`;
  },
);

/** Shares of a count vector (all zeros when empty). */
export function sharesOf(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/** The score distribution of a window (one rollup query). */
export async function scoreLive(
  store: Pick<Store, "rollups">,
  range: WindowRange,
  options: { now: Date; reference: SiteReference },
): Promise<ScoreLive> {
  const totals = await store.rollups.totals({ fromMinute: range.fromMinute });
  const mix = options.reference.ok
    ? scoreMix(options.reference.scoreCounts, totals.scoreCounts)
    : null;
  return {
    generatedAt: options.now.toISOString(),
    window: range.spec.label,
    n: totals.n,
    counts: totals.scoreCounts,
    rejects: totals.rejects,
    meanProba: ratio(totals.sumProba, totals.n),
    psi: mix?.psi ?? null,
    verdict: mix ? mix.verdict : null,
  };
}
