/**
 * Closed-loop scoring load for the crash test: `concurrency` clients send
 * /predict and /predict_batch requests back to back, each with a unique
 * X-Request-Id, and record every item id the service acknowledged with a 200.
 *
 * @module
 */
import type { Features } from "../../api/scoring/feature_vector.ts";

/** Options for {@link runLoad}. */
export interface LoadOptions {
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Feature rows to cycle through. */
  rows: readonly Features[];
  /** Clients sending at once. */
  concurrency: number;
  /** Rows per /predict_batch request: 2 to this. Every third request is a batch. */
  maxBatchRows: number;
  /** Prefix of every X-Request-Id (unique per run). */
  idPrefix: string;
  /** Clients stop sending new requests once this is aborted (requests in flight go on). */
  stop: AbortSignal;
  /** Extra request headers (e.g. `X-API-Key`). */
  headers?: Record<string, string>;
  /** Called with every answer's status (0: no answer) and the time it came (`performance.now()`). */
  onAnswer?(status: number, atMs: number): void;
}

/** What the clients saw. */
export interface LoadResult {
  /** Requests sent. */
  sent: number;
  /** Item ids the service answered 200 for (`<id>` or `<id>:<row>`). */
  acknowledged: string[];
  /** Non-200 answers, by status. */
  refused: Record<number, number>;
  /** Requests that got no answer (connection refused or reset: the kill). */
  failed: number;
}

/** Runs the load until `stop` is aborted and every client's last request ended. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = { sent: 0, acknowledged: [], refused: {}, failed: 0 };
  let next = 0;

  async function client(): Promise<void> {
    while (!options.stop.aborted) {
      const n = next++;
      const id = `${options.idPrefix}-${n}`;
      const size = n % 3 === 2 ? 2 + (n % Math.max(1, options.maxBatchRows - 1)) : 0;
      const pick = (k: number) => options.rows[(n + k) % options.rows.length];
      const [path, body] = size
        ? ["/predict_batch", { rows: Array.from({ length: size }, (_, k) => pick(k)) }]
        : ["/predict", { features: pick(0) }];
      result.sent += 1;
      let res: Response;
      try {
        res = await fetch(`${options.baseUrl}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-id": id, ...options.headers },
          body: JSON.stringify(body),
        });
      } catch {
        result.failed += 1;
        options.onAnswer?.(0, performance.now());
        continue;
      }
      options.onAnswer?.(res.status, performance.now());
      if (res.status === 200) {
        // The status line leaves only after the commit: the rows are acknowledged now.
        const ids = size ? Array.from({ length: size }, (_, k) => `${id}:${k}`) : [id];
        result.acknowledged.push(...ids);
      } else {
        result.refused[res.status] = (result.refused[res.status] ?? 0) + 1;
      }
      await res.body?.cancel().catch(() => {});
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, client));
  return result;
}
