/**
 * Logs prediction rows through the real store the way the API does: one
 * one-row entry per request, `group` entries appended in the same
 * event-loop turn (so the group commit takes them in one transaction).
 * Shared by the measurements of what the log's writes cost
 * (`secure_delete_cost.ts`, `bench/ids.ts`).
 *
 * @module
 */
import process from "node:process";
import type { PredictionRecord, Store } from "../../api/store/mod.ts";

/** One application's features as the API logs them (13 numbers). */
const INPUT = JSON.stringify(
  Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`feature_${i}`, 1000 + i * 17.5])),
);

/** What logging the rows took. */
export interface LogLoad {
  rows: number;
  seconds: number;
  /** Process CPU (user + system) per row, µs. */
  cpuUsPerRow: number;
}

/** Options for {@link logRows}. */
export interface LogRowsOptions {
  rows: number;
  /** Entries appended per event-loop turn. */
  group: number;
  /** The request id of each row. */
  requestId: () => string;
}

/** Logs `rows` rows, `group` one-row entries at a time, and measures the time and CPU it took. */
export async function logRows(store: Store, options: LogRowsOptions): Promise<LogLoad> {
  const record = (ts: string): PredictionRecord => ({
    ts_utc: ts,
    client_id: "",
    request_id: options.requestId(),
    model_version: "m1",
    proba_default: 0.2,
    threshold: 0.5,
    decision: 0,
    latency_ms: 1,
    input_json: INPUT,
    reasons_json: null,
  });
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let done = 0; done < options.rows; done += options.group) {
    const ts = new Date().toISOString();
    const n = Math.min(options.group, options.rows - done);
    await Promise.all(Array.from({ length: n }, () => store.append({ rows: [record(ts)] })));
  }
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  return { rows: options.rows, seconds, cpuUsPerRow: (used.user + used.system) / options.rows };
}
