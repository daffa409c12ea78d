/**
 * Keeps `prediction_minutes` (per minute × model version: counts, sums, score
 * bins) up to date inside the audit log's own transactions, so the rollup can
 * never disagree with `predictions`. The rows of one commit are aggregated
 * here and written with one upsert per minute × version, instead of a trigger
 * firing an upsert per row (measured: the trigger cost about 10 µs per row,
 * the biggest part of a batch commit).
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { SCORE_BIN_COLUMNS, SCORE_BIN_COUNT, scoreBin } from "./histograms.ts";
import type { PredictionRecord } from "./prediction_record.ts";

/** One minute × model version's share of a commit. */
export interface MinuteDelta {
  minute: number;
  model_version: string;
  n: number;
  rejects: number;
  sum_proba: number;
  sum_latency_ms: number;
  min_id: number;
  max_id: number;
  /** Counts per score bin. */
  bins: number[];
}

/** Epoch minute of a timestamp as the migration's SQL computes it (0 when unreadable). */
export function rollupMinute(tsUtc: string): number {
  const ms = Date.parse(tsUtc);
  return Number.isFinite(ms) ? Math.trunc(Math.trunc(ms / 1000) / 60) : 0;
}

/** Aggregates committed rows (with their row ids) per minute × model version. */
export function aggregateMinutes(
  rows: readonly Pick<
    PredictionRecord,
    "ts_utc" | "model_version" | "decision" | "proba_default" | "latency_ms"
  >[],
  ids: readonly number[],
): MinuteDelta[] {
  const cells = new Map<string, MinuteDelta>();
  rows.forEach((r, i) => {
    const minute = rollupMinute(r.ts_utc);
    const key = `${minute}\u0000${r.model_version}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = {
        minute,
        model_version: r.model_version,
        n: 0,
        rejects: 0,
        sum_proba: 0,
        sum_latency_ms: 0,
        min_id: ids[i],
        max_id: ids[i],
        bins: new Array<number>(SCORE_BIN_COUNT).fill(0),
      };
      cells.set(key, cell);
    }
    cell.n++;
    if (r.decision === "reject") cell.rejects++;
    cell.sum_proba += r.proba_default;
    cell.sum_latency_ms += r.latency_ms;
    cell.min_id = Math.min(cell.min_id, ids[i]);
    cell.max_id = Math.max(cell.max_id, ids[i]);
    cell.bins[scoreBin(r.proba_default)]++;
  });
  return [...cells.values()];
}

/** Returns a function adding deltas to `prediction_minutes` (inside the caller's transaction). */
export function createMinuteRollupWriter(
  db: DatabaseSync,
): (deltas: readonly MinuteDelta[]) => void {
  const bins = SCORE_BIN_COLUMNS;
  const upsert = db.prepare(
    `INSERT INTO prediction_minutes (minute, model_version, n, rejects, sum_proba, sum_latency_ms,
       min_id, max_id, ${bins.join(", ")})
     VALUES (${new Array(8 + bins.length).fill("?").join(", ")})
     ON CONFLICT (minute, model_version) DO UPDATE SET
       n = n + excluded.n,
       rejects = rejects + excluded.rejects,
       sum_proba = sum_proba + excluded.sum_proba,
       sum_latency_ms = sum_latency_ms + excluded.sum_latency_ms,
       min_id = min(min_id, excluded.min_id),
       max_id = max(max_id, excluded.max_id),
       ${bins.map((c) => `${c} = ${c} + excluded.${c}`).join(",\n       ")}`,
  );
  return (deltas) => {
    for (const d of deltas) {
      upsert.run(
        d.minute,
        d.model_version,
        d.n,
        d.rejects,
        d.sum_proba,
        d.sum_latency_ms,
        d.min_id,
        d.max_id,
        ...d.bins,
      );
    }
  };
}
