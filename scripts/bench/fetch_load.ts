/**
 * Load generation with Deno's `fetch`, when `wrk` is not installed: a fixed
 * number of clients POST back to back until the duration ends. It runs in the
 * bench process and shares the CPU with the server, so it saturates the
 * server less than wrk does: compare runs made with the same generator.
 *
 * @module
 */
import { summariseLatencies } from "./latency_summary.ts";
import type { LoadOptions, LoadResult } from "./load_types.ts";

/** Runs `concurrency` fetch clients for `durationS` seconds. */
export async function runFetchLoad(options: LoadOptions): Promise<LoadResult> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey) headers["x-api-key"] = options.apiKey;
  const latencies: number[] = [];
  let statusErrors = 0;
  let socketErrors = 0;
  let next = 0;
  const start = performance.now();
  const end = start + options.durationS * 1000;

  async function client(): Promise<void> {
    while (performance.now() < end) {
      const get = options.method === "GET";
      const body = get ? undefined : options.bodies[next++ % options.bodies.length];
      const t0 = performance.now();
      try {
        const res = await fetch(options.url, { method: get ? "GET" : "POST", headers, body });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status < 200 || res.status > 299) statusErrors++;
      } catch {
        socketErrors++;
      }
      // Random pause (mean delayMs) so clients do not stay in phase; as in wrk_cycle.lua.
      if (options.delayMs) {
        await new Promise((r) => setTimeout(r, Math.random() * 2 * options.delayMs!));
      }
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, client));
  const durationS = (performance.now() - start) / 1000;
  const s = summariseLatencies(latencies);
  return {
    generator: "fetch",
    concurrency: options.concurrency,
    durationS,
    requests: latencies.length,
    requestsPerS: latencies.length / durationS,
    statusErrors,
    socketErrors,
    latencyMs: s
      ? { min: s.min, mean: s.mean, p50: s.p50, p95: s.p95, p99: s.p99, max: s.max }
      : { min: NaN, mean: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN },
  };
}
