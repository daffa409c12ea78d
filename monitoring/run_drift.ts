/**
 * Runs a drift computation over the audit store against the reference sample:
 * the in-process entry point shared by `deno task drift` and the site.
 *
 * Layers, so a caller can cache what does not change:
 * - {@link loadDriftReference}: model metadata + reference CSV → profile (once
 *   per model);
 * - {@link computeDrift}: streams a window of the store into an accumulator
 *   a page at a time and returns the report (memory stays bounded, time
 *   grows with the window, about a few µs per row);
 * - {@link runDrift}: both, opening and closing the store read-only.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ModelMeta, readModelMeta } from "../api/scoring/model_meta.ts";
import { openStore, type PredictionQuery, type Store } from "../api/store/mod.ts";
import { sortBySeverity } from "./alerts.ts";
import { type AccumulatorOptions, createDriftAccumulator } from "./drift_accumulator.ts";
import { computePerformance, performanceAlerts } from "./run_performance.ts";
import type { DriftReport } from "./drift_report.ts";
import { buildReferenceProfile, type ReferenceProfile } from "./reference_profile.ts";
import { readReferenceSample } from "./reference_sample.ts";

/** Default number of most recent predictions compared. */
export const DEFAULT_LIMIT = 2000;

/** Where the reference comes from. */
export interface DriftReferenceOptions {
  /** Directory of `model_meta.json` (feature schema, threshold, model version). */
  artifactsDir: string;
  /** The reference sample CSV. Default: the model's (`reference.file` in the artifacts directory). */
  referencePath?: string;
  /** Numeric quantile bins. Default 10. */
  bins?: number;
}

/** The model metadata and the fitted reference profile. */
export interface DriftReference {
  meta: ModelMeta;
  profile: ReferenceProfile;
}

/** Reads the metadata and the reference sample and fits the reference profile. */
export async function loadDriftReference(options: DriftReferenceOptions): Promise<DriftReference> {
  const meta = await readModelMeta(options.artifactsDir);
  const path = options.referencePath ?? join(options.artifactsDir, meta.reference.file);
  const sample = await readReferenceSample(path, meta.features);
  const profile = buildReferenceProfile(sample, {
    features: meta.features,
    threshold: meta.threshold,
    bins: options.bins,
    modelVersion: meta.model_version,
  });
  return { meta, profile };
}

/** Options for {@link computeDrift}. */
export interface ComputeDriftOptions extends AccumulatorOptions {
  /** The window: `since`/`until` on `ts_utc`, `limit` = most recent rows. */
  query?: PredictionQuery;
  /** Called every `progressEvery` rows and once at the end with the rows read so far. */
  onProgress?: (rows: number) => void;
  /** Default 10,000. */
  progressEvery?: number;
  /**
   * The model metadata: when given, the report also carries the window's
   * model performance (outcomes fed back, CBPE estimates) and its alerts.
   */
  meta?: Pick<ModelMeta, "cost_matrix" | "metrics">;
}

/** Streams one window of the store through a drift accumulator. */
export async function computeDrift(
  store: Pick<Store, "predictions" | "outcomes">,
  profile: ReferenceProfile,
  options: ComputeDriftOptions = {},
): Promise<DriftReport> {
  const query = options.query ?? {};
  const acc = createDriftAccumulator(profile, { ...options, query });
  const every = options.progressEvery ?? 10_000;
  const onProgress = options.onProgress;
  let rows = 0;
  let reported = 0;
  // Pages no larger than the progress step, so progress is reported on time.
  for await (const page of store.predictions.pages(query, Math.min(5000, every))) {
    for (const row of page) acc.add(row);
    rows += page.length;
    if (onProgress !== undefined && rows - reported >= every) {
      reported = rows - (rows % every);
      onProgress(rows);
    }
  }
  onProgress?.(acc.rows);
  const report = acc.finish();
  if (!options.meta) return report;
  const performance = await computePerformance(store, options.meta, query);
  return {
    ...report,
    performance,
    alerts: sortBySeverity([...report.alerts, ...performanceAlerts(performance)]),
  };
}

/** Opens the audit store read-only; a clear error when a database file does not exist. */
export function openStoreForReading(target: string): Promise<Store> {
  if (target !== ":memory:" && !/^postgres(ql)?:/.test(target) && !existsSync(target)) {
    return Promise.reject(new Error(`${target}: database not found`));
  }
  return openStore(target, { readOnly: true });
}

/** Options for {@link runDrift}. */
export interface RunDriftOptions extends DriftReferenceOptions, ComputeDriftOptions {
  /** The store to read: a SQLite path or a PostgreSQL URL. */
  dbPath: string;
}

/** Loads the reference, opens the store read-only, computes the report, closes the store. */
export async function runDrift(options: RunDriftOptions): Promise<DriftReport> {
  const { meta, profile } = await loadDriftReference(options);
  const store = await openStoreForReading(options.dbPath);
  try {
    return await computeDrift(store, profile, { meta, ...options });
  } finally {
    await store.close();
  }
}
