/**
 * Whether a model version can serve the champion's callers: the API's
 * request schema is built from the champion's features, so every version
 * that scores the same rows (a shadow) or may answer them (a promotion) must
 * read exactly those features — the same names, each of the same type, and
 * for a categorical feature the same levels. Column order, encodings,
 * numeric ranges and the model itself may differ. The relation is an
 * equivalence, so versions compatible with one champion are compatible with
 * every champion they could replace.
 *
 * @module
 */
import type { FeatureSpec } from "./model_meta.ts";

/**
 * How `candidate`'s features differ from `champion`'s, one line per
 * difference, naming the feature; empty when compatible.
 */
export function featureDifferences(
  champion: readonly FeatureSpec[],
  candidate: readonly FeatureSpec[],
): string[] {
  const theirs = new Map(candidate.map((f) => [f.name, f]));
  const ours = new Set(champion.map((f) => f.name));
  const out: string[] = [];
  for (const f of champion) {
    const c = theirs.get(f.name);
    if (!c) {
      out.push(`${f.name}: sent by the champion's callers, not read by this version`);
    } else if (c.type !== f.type) {
      out.push(`${f.name}: ${f.type} for the champion, ${c.type} for this version`);
    } else if (f.type === "categorical" && c.type === "categorical") {
      const mine = new Set(c.levels);
      const missing = f.levels.filter((l) => !mine.has(l));
      const extra = c.levels.filter((l) => !f.levels.includes(l));
      if (missing.length || extra.length) {
        out.push(
          `${f.name}: levels differ` +
            (missing.length ? `; unknown to this version: ${missing.join(", ")}` : "") +
            (extra.length ? `; never sent by the champion's callers: ${extra.join(", ")}` : ""),
        );
      }
    }
  }
  for (const c of candidate) {
    if (!ours.has(c.name)) {
      out.push(`${c.name}: read by this version, never sent by the champion's callers`);
    }
  }
  return out;
}
