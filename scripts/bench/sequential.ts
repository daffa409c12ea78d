/**
 * Sequential latency: one request at a time, `n` times (after a warm-up),
 * timing each on the client and reading the server's own `latency_ms` from
 * the answer.
 *
 * @module
 */
import { type LatencySummary, summariseLatencies } from "./latency_summary.ts";

/** What {@link runSequential} measured (ms). */
export interface SequentialResult {
  requests: number;
  /** Non-2xx answers and failed requests. */
  errors: number;
  rowsPerRequest: number;
  client: LatencySummary | null;
  /** From the answers' `latency_ms` (null for the hello baseline, which has none). */
  server: LatencySummary | null;
}

/**
 * The server-side latency an answer reports: `latency_ms` of a `/predict`
 * answer, or of the first item of a `/predict_batch` answer (every item of a
 * batch carries the same value). Null when there is none.
 */
export function reportedLatencyMs(answer: unknown): number | null {
  if (typeof answer !== "object" || answer === null) return null;
  const a = answer as { latency_ms?: unknown; items?: Array<{ latency_ms?: unknown }> };
  const v = a.latency_ms ?? a.items?.[0]?.latency_ms;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Options for {@link runSequential}. */
export interface SequentialOptions {
  url: string;
  bodies: readonly string[];
  n: number;
  /** Unmeasured requests first. Default min(20, n). */
  warmup?: number;
  rowsPerRequest?: number;
  apiKey?: string;
}

/** Sends `n` POSTs one after the other, cycling through `bodies`. */
export async function runSequential(options: SequentialOptions): Promise<SequentialResult> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey) headers["x-api-key"] = options.apiKey;
  const warmup = options.warmup ?? Math.min(20, options.n);
  const client: number[] = [];
  const server: number[] = [];
  let errors = 0;
  for (let i = 0; i < warmup + options.n; i++) {
    const body = options.bodies[i % options.bodies.length];
    const t0 = performance.now();
    let text: string;
    let ok: boolean;
    try {
      const res = await fetch(options.url, { method: "POST", headers, body });
      text = await res.text();
      ok = res.ok;
    } catch {
      text = "";
      ok = false;
    }
    const ms = performance.now() - t0;
    if (i < warmup) continue;
    if (!ok) {
      errors++;
      continue;
    }
    client.push(ms);
    let answer: unknown = null;
    try {
      answer = JSON.parse(text);
    } catch {
      // Not JSON (the hello baseline answers JSON too; anything else has no latency_ms).
    }
    const reported = reportedLatencyMs(answer);
    if (reported !== null) server.push(reported);
  }
  return {
    requests: options.n,
    errors,
    rowsPerRequest: options.rowsPerRequest ?? 1,
    client: summariseLatencies(client),
    server: summariseLatencies(server),
  };
}
