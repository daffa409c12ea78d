/**
 * Drift and performance of one model version, each version against its own
 * reference: the rows it scored, answered as champion and scored in the
 * shadow (the store's version reads: its own score, threshold and decision
 * on the logged application), compared with the reference sample of its own
 * artifacts directory, and its realised performance on those rows' outcomes.
 * Shared by `deno task drift --model-version` and the site's version
 * selector.
 *
 * @module
 */
import type { ModelMeta } from "../api/scoring/model_meta.ts";
import type { Store } from "../api/store/mod.ts";
import type { DriftReport } from "./drift_report.ts";
import { buildReferenceProfile } from "./reference_profile.ts";
import { readReferenceSample } from "./reference_sample.ts";
import { computeDrift, type ComputeDriftOptions, type DriftReference } from "./run_drift.ts";
import { computePerformance, type ComputePerformanceOptions } from "./run_performance.ts";
import type { PerformanceReport } from "./performance.ts";

/** A version's metadata and where its reference sample is. */
export interface VersionArtifacts {
  meta: ModelMeta;
  referencePath: string;
}

/**
 * Fits the reference profile of `version` from its artifacts; refuses
 * artifacts of another version (a report against the wrong reference would
 * look like drift).
 */
export async function loadVersionReference(
  version: string,
  artifacts: VersionArtifacts,
  bins?: number,
): Promise<DriftReference> {
  const { meta, referencePath } = artifacts;
  if (meta.model_version !== version) {
    throw new Error(
      `the artifacts given are model ${meta.model_version}, not ${version}: ` +
        `point them at ${version}'s artifacts directory`,
    );
  }
  const sample = await readReferenceSample(referencePath, meta.features);
  const profile = buildReferenceProfile(sample, {
    features: meta.features,
    threshold: meta.threshold,
    bins,
    modelVersion: meta.model_version,
  });
  return { meta, profile };
}

/** The drift report (with performance) of the reference's version, on the rows it scored. */
export function computeVersionDrift(
  store: Pick<Store, "predictions" | "outcomes">,
  reference: DriftReference,
  options: Omit<ComputeDriftOptions, "meta"> = {},
): Promise<DriftReport> {
  return computeDrift(store, reference.profile, {
    ...options,
    meta: reference.meta,
    query: { ...options.query, modelVersion: reference.meta.model_version },
  });
}

/** The performance of `meta`'s version on the rows it scored. */
export function computeVersionPerformance(
  store: Pick<Store, "outcomes">,
  meta: Pick<ModelMeta, "cost_matrix" | "metrics" | "model_version">,
  options: Omit<ComputePerformanceOptions, "modelVersion"> = {},
): Promise<PerformanceReport> {
  return computePerformance(store, meta, { ...options, modelVersion: meta.model_version });
}
