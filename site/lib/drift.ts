/**
 * Drift reports for the site: the latest one (computed here and stored in the
 * database, or written by `deno task drift` to its JSON file — whichever is
 * newer) and recomputing one in-process with the monitoring library (on a
 * worker thread).
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import type { ModelMeta } from "../../api/scoring/model_meta.ts";
import type { Store } from "../../api/store/mod.ts";
import type { DriftReport } from "../../monitoring/drift_report.ts";
import type { ReferenceProfile } from "../../monitoring/reference_profile.ts";
import { reachesLevel } from "../../monitoring/verdict.ts";
import type { AlertInputs } from "./alerts.ts";
import { computeDriftJob } from "../../api/monitor/drift_job.ts";

/** A report and where it came from. */
export interface LatestDrift {
  report: DriftReport;
  /**
   * `site` (recomputed on the drift page) or `scheduler` (the service's
   * scheduled report), both from the database; otherwise the path of the
   * CLI's report file.
   */
  origin: string;
}

function looksLikeReport(x: unknown): x is DriftReport {
  const r = x as Partial<DriftReport> | null;
  return typeof r === "object" && r !== null && typeof r.generated_at === "string" &&
    typeof r.features === "object" && typeof r.overall_verdict === "string" &&
    typeof r.window === "object" && Array.isArray(r.alerts) && typeof r.score_drift === "object";
}

/**
 * Returns a reader of the latest report. Parsed reports are cached (by row id
 * for the database, by modification time for the file), so a page view costs
 * one indexed lookup and one `stat`.
 */
export function createDriftReader(
  store: Pick<Store, "reports">,
  filePath: string | undefined,
): () => Promise<LatestDrift | null> {
  let dbCache: { id: number; report: DriftReport; source: string } | undefined;
  let fileCache: { mtimeMs: number; report: DriftReport | null } | undefined;

  const fromDb = async (): Promise<{ report: DriftReport; source: string } | null> => {
    const row = await store.reports.latest();
    if (row === undefined) return null;
    if (dbCache?.id !== row.id) {
      const parsed = JSON.parse(row.report_json);
      if (!looksLikeReport(parsed)) return null;
      dbCache = { id: row.id, report: parsed, source: row.source };
    }
    return dbCache;
  };

  const fromFile = async (): Promise<DriftReport | null> => {
    if (filePath === undefined) return null;
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(filePath)).mtimeMs;
    } catch {
      return null;
    }
    if (fileCache?.mtimeMs !== mtimeMs) {
      let report: DriftReport | null = null;
      try {
        const parsed = JSON.parse(new TextDecoder().decode(await readFile(filePath)));
        report = looksLikeReport(parsed) ? parsed : null;
      } catch {
        report = null;
      }
      fileCache = { mtimeMs, report };
    }
    return fileCache.report;
  };

  return async () => {
    const stored = await fromDb();
    const file = await fromFile();
    if (stored && (!file || stored.report.generated_at >= file.generated_at)) {
      return { report: stored.report, origin: stored.source };
    }
    return file ? { report: file, origin: filePath! } : null;
  };
}

/** The drift facts the overview's alerts use. */
export function driftAlertInputs(report: DriftReport): NonNullable<AlertInputs["drift"]> {
  const drifting = Object.entries(report.features)
    .filter(([, f]) => reachesLevel(f.verdict, "moderate"))
    .map(([name, f]) => ({ name, verdict: f.verdict, psi: f.psi }));
  if (reachesLevel(report.score_drift.verdict, "moderate")) {
    drifting.push({
      name: "proba_default",
      verdict: report.score_drift.verdict,
      psi: report.score_drift.psi,
    });
  }
  drifting.sort((a, b) => (b.psi ?? 0) - (a.psi ?? 0));
  return {
    verdict: report.overall_verdict,
    generatedAt: report.generated_at,
    drifting,
    nProduction: report.window.n_production,
  };
}

/** What to recompute over. */
export interface RecomputeOptions {
  /** Only predictions at or after this ISO time. */
  since?: string;
  /** At most the most recent `limit` rows of the window. */
  limit: number;
  now?: () => Date;
  /** The model's costs and training metrics: the report then carries the window's performance. */
  meta?: Pick<ModelMeta, "cost_matrix" | "metrics">;
  /**
   * Only the rows this version scored (answered or in the shadow), against
   * its reference: the report is returned, not stored as the latest (which
   * stays the whole log's).
   */
  modelVersion?: string;
}

/**
 * Computes a report with the monitoring library over the store (with the
 * window's model performance when `meta` is given) and stores it as the
 * latest. On a worker thread with its own connection (the request thread
 * keeps serving); inline for an in-memory database, which no other
 * connection can open.
 */
export async function recomputeDrift(
  store: Pick<Store, "predictions" | "outcomes" | "reports" | "target">,
  profile: ReferenceProfile,
  options: RecomputeOptions,
): Promise<DriftReport> {
  const query = {
    limit: options.limit,
    ...(options.since ? { since: options.since } : {}),
    ...(options.modelVersion !== undefined ? { modelVersion: options.modelVersion } : {}),
  };
  const now = options.now ?? (() => new Date());
  // Only what the performance section needs crosses to the worker (structured clone).
  const meta = options.meta && {
    cost_matrix: options.meta.cost_matrix,
    metrics: options.meta.metrics,
  };
  const report = await computeDriftJob(store, {
    dbPath: store.target,
    profile,
    query,
    generatedAt: now().toISOString(),
    meta,
    // Hours for windows up to three days, days beyond (and for "all").
    chunk: options.since && now().getTime() - Date.parse(options.since) <= 72 * 3_600_000
      ? "hour"
      : "day",
  });
  if (options.modelVersion !== undefined) return report;
  await store.reports.save({
    generated_at: report.generated_at,
    source: "site",
    report_json: JSON.stringify(report),
  });
  return report;
}
