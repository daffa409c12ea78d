/**
 * The reference sample as the site uses it: read once (lazily, on the first
 * page that needs it), fitted into the drift library's reference profile
 * (for "recompute drift") and counted in the rollups' fixed score bins (for
 * the live score distribution and the score-mix alert). A missing or invalid
 * file is not fatal: pages show themselves without the reference.
 *
 * @module
 */
import { scoreBinCounts } from "../../api/store/histograms.ts";
import type { ModelMeta } from "../../api/scoring/model_meta.ts";
import { psiSection, type SectionRules } from "../../monitoring/feature_drift.ts";
import {
  buildReferenceProfile,
  type ReferenceProfile,
} from "../../monitoring/reference_profile.ts";
import { readReferenceSample } from "../../monitoring/reference_sample.ts";
import { DEFAULT_MIN_ROWS, type Verdict } from "../../monitoring/verdict.ts";

/** The loaded reference, or why there is none. */
export type SiteReference =
  | { ok: true; path: string; profile: ReferenceProfile; scoreCounts: number[]; n: number }
  | { ok: false; path: string; error: string };

/** Returns a memoised loader of the reference sample at `path` (null: none configured). */
export function createReferenceLoader(
  path: string | null,
  meta: ModelMeta,
): () => Promise<SiteReference> {
  let loading: Promise<SiteReference> | undefined;
  return () =>
    loading ??= (async (): Promise<SiteReference> => {
      if (path === null) return { ok: false, path: "(none)", error: "no reference sample given" };
      try {
        const sample = await readReferenceSample(path, meta.features);
        const profile = buildReferenceProfile(sample, {
          features: meta.features,
          threshold: meta.threshold,
          modelVersion: meta.model_version,
        });
        return {
          ok: true,
          path,
          profile,
          scoreCounts: scoreBinCounts(Array.from(sample.scores)),
          n: sample.rows.length,
        };
      } catch (err) {
        return { ok: false, path, error: err instanceof Error ? err.message : String(err) };
      }
    })();
}

/** Score mix of a window against the reference: PSI over the fixed score bins. */
export interface ScoreMix {
  psi: number | null;
  noiseFloor: number | null;
  verdict: Verdict;
  n: number;
}

/**
 * Compares production score-bin counts with the reference's, with the drift
 * library's rules (noise floor, bands, minimum rows).
 */
export function scoreMix(
  referenceCounts: readonly number[],
  productionCounts: readonly number[],
  rules: Partial<SectionRules> = {},
): ScoreMix {
  const n = productionCounts.reduce((a, b) => a + b, 0);
  const section = psiSection(referenceCounts, productionCounts, {
    ...rules,
    sufficient: rules.sufficient ?? n >= DEFAULT_MIN_ROWS,
  });
  return { psi: section.psi, noiseFloor: section.noise_floor, verdict: section.verdict, n };
}
