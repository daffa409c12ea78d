/**
 * Model versions for the site: which versions have rows in a window (the
 * version selector of the drift and performance pages), each version's
 * metadata and drift reference (its own artifacts, loaded once), the
 * comparison of a version with the champion, and per-version drift reports
 * (kept in memory: the stored "latest report" stays the whole log's, which
 * the overview's alerts read).
 *
 * @module
 */
import type { ModelAdmin, ModelVersionInfo } from "../../api/model_admin.ts";
import type { ModelMeta } from "../../api/scoring/model_meta.ts";
import type { Store } from "../../api/store/mod.ts";
import type { DriftReport } from "../../monitoring/drift_report.ts";
import { compareModels, type ModelComparison } from "../../monitoring/model_comparison.ts";
import type { DriftReference } from "../../monitoring/run_drift.ts";
import { loadVersionReference, type VersionArtifacts } from "../../monitoring/run_version.ts";

/** Equal-width score bins of the comparison's distributions. */
export const COMPARISON_BINS = 20;

/**
 * Most recent paired rows of each direction a comparison counts. Measured
 * (`deno task bench comparison`, SQLite, 2 busy cores): counting all
 * 1,000,000 paired rows of a log took 2.5–5 s (an outcome lookup and a sort
 * per row); the 100,000 most recent 0.41 s, and the whole page 0.46 s (1.4×
 * the performance page in the same run). Shares of 100,000 rows are within
 * ±0.3 pt of the window's.
 */
export const COMPARISON_MAX_ROWS = 100_000;

/** What the version helpers need from the site context. */
export interface VersionSource {
  meta: ModelMeta;
  store: Store;
  models: ModelAdmin | null;
  modelArtifacts(version: string): VersionArtifacts | undefined;
}

/** The versions that scored rows since `fromMinute` (answered, or in the shadow per the admin). */
export async function versionsWithRows(
  src: Pick<VersionSource, "store" | "models">,
  fromMinute: number | undefined,
): Promise<string[]> {
  const [answered, loaded] = await Promise.all([
    src.store.rollups.versions({ fromMinute }),
    src.models ? src.models.list() : Promise.resolve([] as ModelVersionInfo[]),
  ]);
  const names = new Set(answered.filter((v) => v.n > 0).map((v) => v.modelVersion));
  for (const v of loaded) if (v.rows_scored > 0) names.add(v.version);
  return [...names].sort();
}

/** True when `version` scored a row since `since` (two index lookups, whatever the log's size). */
export async function versionHasRows(
  store: Pick<Store, "predictions">,
  version: string,
  since: string | undefined,
): Promise<boolean> {
  for await (const page of store.predictions.pages({ since, modelVersion: version, limit: 1 })) {
    if (page.length > 0) return true;
  }
  return false;
}

/** A version's metadata: its artifacts', else the served model's when it is that version. */
export function versionMeta(src: VersionSource, version: string): ModelMeta | undefined {
  return src.modelArtifacts(version)?.meta ??
    (version === src.meta.model_version ? src.meta : undefined);
}

/** The loaded version list and its champion, or null without a model admin. */
export async function lineup(
  models: ModelAdmin | null,
): Promise<{ versions: ModelVersionInfo[]; champion: ModelVersionInfo | undefined } | null> {
  if (!models) return null;
  const versions = await models.list();
  return { versions, champion: versions.find((v) => v.role === "champion") };
}

/** Options for {@link compareWithChampion}. */
export interface CompareOptions {
  champion: string;
  challenger: string;
  since?: string;
  /** Most recent labelled pairs read for the realised metrics. */
  maxLabelled: number;
  /** Most recent paired rows of each direction counted. Default {@link COMPARISON_MAX_ROWS}. */
  maxRows?: number;
}

/**
 * The comparison of `challenger` with `champion` over the window (costs: the
 * champion's), and whether it counted only the most recent paired rows.
 */
export async function compareWithChampion(
  src: VersionSource,
  options: CompareOptions,
): Promise<{ comparison: ModelComparison; capped: boolean }> {
  const q = { champion: options.champion, challenger: options.challenger, since: options.since };
  const maxRows = options.maxRows ?? COMPARISON_MAX_ROWS;
  const [cells, labelled] = await Promise.all([
    src.store.comparison.cells({ ...q, bins: COMPARISON_BINS, limit: maxRows }),
    src.store.comparison.labelled({ ...q, limit: options.maxLabelled }),
  ]);
  const costs = (versionMeta(src, options.champion) ?? src.meta).cost_matrix;
  const comparison = compareModels(cells, labelled, { ...q, bins: COMPARISON_BINS, costs });
  const by = comparison.answered_by;
  return { comparison, capped: by.champion >= maxRows || by.challenger >= maxRows };
}

/** Per-version drift references (loaded once each) and reports (the latest of each). */
export interface VersionDrift {
  /** The version's reference, or why there is none. */
  reference(version: string): Promise<DriftReference | { error: string }>;
  latest: Map<string, DriftReport>;
}

/** Creates the per-version drift state of a site. */
export function createVersionDrift(src: VersionSource): VersionDrift {
  const loading = new Map<string, Promise<DriftReference | { error: string }>>();
  return {
    latest: new Map(),
    reference(version) {
      let hit = loading.get(version);
      if (!hit) {
        const artifacts = src.modelArtifacts(version);
        if (!artifacts) return Promise.resolve({ error: `no artifacts of model ${version}` });
        // A failure is not kept: the next view tries again (e.g. after a reload).
        hit = loadVersionReference(version, artifacts).catch((err) => {
          loading.delete(version);
          return { error: err instanceof Error ? err.message : String(err) };
        });
        loading.set(version, hit);
      }
      return hit;
    },
  };
}
