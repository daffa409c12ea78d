/**
 * What a throughput run measures, whichever load generator made it.
 *
 * @module
 */
import type { LatencySummary } from "./latency_summary.ts";

/** Client-side latency of a throughput run, ms. */
export type ClientLatency = Omit<LatencySummary, "n">;

/** The result of a closed-loop throughput run at fixed concurrency. */
export interface LoadResult {
  /** `wrk` (Debian's wrk with scripts/bench/wrk_cycle.lua) or `fetch` (Deno fetch clients). */
  generator: "wrk" | "fetch";
  concurrency: number;
  /** Measured run time, s. */
  durationS: number;
  /** Completed requests (with any status). */
  requests: number;
  requestsPerS: number;
  /**
   * Error responses: non-2xx for `fetch`; for `wrk`, status ≥ 400 (wrk does
   * not count 3xx, which these routes never answer).
   */
  statusErrors: number;
  /** Connection errors and timeouts (no response). */
  socketErrors: number;
  latencyMs: ClientLatency;
}

/** Options common to the load generators. */
export interface LoadOptions {
  /** Full URL, e.g. `http://127.0.0.1:8000/predict`. */
  url: string;
  /** JSON bodies to cycle through (one POST each); ignored for GET. */
  bodies: readonly string[];
  /** Default POST. */
  method?: "POST" | "GET";
  concurrency: number;
  durationS: number;
  /** Sent as `X-API-Key` when set. */
  apiKey?: string;
  /** Paced load: each client waits a random 0 … 2 × this long after each answer (ms). Default 0. */
  delayMs?: number;
}
