/**
 * Runs a drift job: on a worker thread (`drift_worker.ts`) with its own
 * connection, so the request thread keeps serving, or inline for an
 * in-memory database, which no other connection can open.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { Store } from "../store/mod.ts";
import type { DriftReport } from "../../monitoring/drift_report.ts";
import { computeDrift } from "../../monitoring/run_drift.ts";
import type { DriftJob, DriftJobReply } from "./drift_worker.ts";

export type { DriftJob };

/** Runs a drift job on a worker thread; resolves with its report. */
export function computeDriftOffThread(job: DriftJob): Promise<DriftReport> {
  const worker = new Worker(new URL("./drift_worker.ts", import.meta.url));
  return new Promise<DriftReport>((resolve, reject) => {
    worker.once("message", (reply: DriftJobReply) => {
      if (reply.ok) resolve(reply.report);
      else reject(new Error(`drift computation failed: ${reply.message}`));
    });
    worker.once("error", reject);
    worker.postMessage(job);
  }).finally(() => worker.terminate());
}

/** Computes a drift job: off-thread for a database file or server, inline for `:memory:`. */
export function computeDriftJob(
  store: Pick<Store, "predictions" | "outcomes" | "target">,
  job: DriftJob,
): Promise<DriftReport> {
  return store.target === ":memory:"
    ? computeDrift(store, job.profile, {
      query: job.query,
      now: () => new Date(job.generatedAt),
      meta: job.meta,
      chunk: job.chunk,
    })
    : computeDriftOffThread(job);
}
