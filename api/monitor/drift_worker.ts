/**
 * Worker thread that computes one drift report: it opens the audit store
 * read-only on its own connection and streams the window through the
 * monitoring library, so a report (about 10 µs per row, plus the
 * multivariate check) never blocks the thread serving requests. Started by
 * `drift_job.ts` for the scheduler and the site's "recompute" button.
 * A `node:worker_threads` worker: it inherits the process's permissions,
 * where a web Worker would need its own.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import type { ModelMeta } from "../scoring/model_meta.ts";
import type { PredictionQuery } from "../store/mod.ts";
import type { ChunkSize, DriftReport } from "../../monitoring/drift_report.ts";
import type { ReferenceProfile } from "../../monitoring/reference_profile.ts";
import { computeDrift, openStoreForReading } from "../../monitoring/run_drift.ts";

/** What to compute (structured-cloned to the worker). */
export interface DriftJob {
  /** The store to open: a SQLite path or a PostgreSQL URL. */
  dbPath: string;
  profile: ReferenceProfile;
  query: PredictionQuery;
  /** `generated_at` of the report. */
  generatedAt: string;
  /** The model's costs and training metrics: the report then carries the window's performance. */
  meta?: Pick<ModelMeta, "cost_matrix" | "metrics">;
  /** Per-chunk statistics (hour or day). */
  chunk?: ChunkSize;
}

/** The worker's answer. */
export type DriftJobReply = { ok: true; report: DriftReport } | { ok: false; message: string };

if (parentPort) {
  const port = parentPort;
  port.once("message", async (job: DriftJob) => {
    let reply: DriftJobReply;
    try {
      const store = await openStoreForReading(job.dbPath);
      try {
        const report = await computeDrift(store, job.profile, {
          query: job.query,
          now: () => new Date(job.generatedAt),
          meta: job.meta,
          chunk: job.chunk,
        });
        reply = { ok: true, report };
      } finally {
        await store.close();
      }
    } catch (err) {
      reply = { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(reply);
  });
}
