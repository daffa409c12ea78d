/**
 * The models serving at one moment: the champion, whose scores are answered
 * and logged, and its shadows (challengers), which score the same rows and
 * are logged beside them, never answered. A request reads the set once, so it
 * is scored by exactly one champion even while another is promoted.
 *
 * @module
 */
import type { ScoringModel } from "./model.ts";

/** The champion and its shadows. */
export interface ModelSet {
  readonly champion: ScoringModel;
  readonly shadows: readonly ScoringModel[];
}

/** Where the serving models come from: read once per request (a registry swaps what it returns). */
export type ModelSource = () => ModelSet;

/** A source that always serves `champion` alone (one artifacts directory, no registry). */
export function singleModel(champion: ScoringModel): ModelSource {
  const set: ModelSet = { champion, shadows: [] };
  return () => set;
}
