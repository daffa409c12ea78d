/**
 * Read queries on `prediction_minutes`, the per-minute × model-version rollup
 * of the audit log that a trigger keeps in step with `predictions` (schema
 * migration 2). Every dashboard aggregate comes from here: the cost of a
 * query grows with the minutes in the window (≤ 10,080 for 7 days), not with
 * the number of logged predictions.
 *
 * Minutes are `unixepoch(ts_utc) / 60` (integer division), so windows are
 * aligned to whole UTC minutes.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { SCORE_BIN_COLUMNS } from "./histograms.ts";
import { where } from "./sql.ts";

/** Which rollup rows to read. */
export interface RollupFilter {
  /** Inclusive first minute (epoch minutes); unbounded when absent. */
  fromMinute?: number;
  /** Exclusive last minute; unbounded when absent. */
  toMinute?: number;
  modelVersion?: string;
}

/** Aggregates of a window. */
export interface PredictionTotals {
  n: number;
  rejects: number;
  sumProba: number;
  sumLatencyMs: number;
  /** Smallest and largest prediction id in the window's minutes (`null` when empty). */
  minId: number | null;
  maxId: number | null;
  /** Rows per score bin (see `histograms.ts`). */
  scoreCounts: number[];
}

/** Aggregates of one time bucket. */
export interface PredictionBucket {
  /** First minute of the bucket (epoch minutes, a multiple of the bucket size). */
  minute: number;
  n: number;
  rejects: number;
  sumProba: number;
  sumLatencyMs: number;
}

/** Rows logged under one model version. */
export interface VersionCount {
  modelVersion: string;
  n: number;
  firstMinute: number;
  lastMinute: number;
}

function whereFilter(filter: RollupFilter) {
  return where(
    ["minute >= ?", filter.fromMinute],
    ["minute < ?", filter.toMinute],
    ["model_version = ?", filter.modelVersion],
  );
}

/** Totals and score histogram of a window. */
export function predictionTotals(db: DatabaseSync, filter: RollupFilter = {}): PredictionTotals {
  const w = whereFilter(filter);
  const bins = SCORE_BIN_COLUMNS.map((c) => `coalesce(sum(${c}), 0) AS ${c}`).join(", ");
  const row = db.prepare(
    `SELECT coalesce(sum(n), 0) AS n, coalesce(sum(rejects), 0) AS rejects,
       coalesce(sum(sum_proba), 0) AS sum_proba, coalesce(sum(sum_latency_ms), 0) AS sum_latency,
       min(min_id) AS min_id, max(max_id) AS max_id, ${bins}
     FROM prediction_minutes ${w.sql}`,
  ).get(...w.params) as Record<string, number | null>;
  return {
    n: row.n ?? 0,
    rejects: row.rejects ?? 0,
    sumProba: row.sum_proba ?? 0,
    sumLatencyMs: row.sum_latency ?? 0,
    minId: row.min_id,
    maxId: row.max_id,
    scoreCounts: SCORE_BIN_COLUMNS.map((c) => row[c] ?? 0),
  };
}

/** Options for {@link predictionSeries}. */
export interface SeriesFilter extends RollupFilter {
  /** Bucket width in minutes (≥ 1). */
  bucketMinutes: number;
}

/** Per-bucket aggregates of a window, oldest first; empty buckets are absent. */
export function predictionSeries(db: DatabaseSync, filter: SeriesFilter): PredictionBucket[] {
  const size = Math.max(1, Math.trunc(filter.bucketMinutes));
  const w = whereFilter(filter);
  const rows = db.prepare(
    `SELECT (minute / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS bucket, sum(n) AS n, sum(rejects) AS rejects,
       sum(sum_proba) AS sum_proba, sum(sum_latency_ms) AS sum_latency
     FROM prediction_minutes ${w.sql} GROUP BY bucket ORDER BY bucket`,
  ).all(size, size, ...w.params) as Record<string, number>[];
  return rows.map((r) => ({
    minute: r.bucket,
    n: r.n,
    rejects: r.rejects,
    sumProba: r.sum_proba,
    sumLatencyMs: r.sum_latency,
  }));
}

/** Rows per model version in a window, most recently seen first. */
export function predictionVersions(db: DatabaseSync, filter: RollupFilter = {}): VersionCount[] {
  const w = whereFilter(filter);
  const rows = db.prepare(
    `SELECT model_version, sum(n) AS n, min(minute) AS first_minute, max(minute) AS last_minute
     FROM prediction_minutes ${w.sql} GROUP BY model_version ORDER BY last_minute DESC`,
  ).all(...w.params) as Record<string, number | string>[];
  return rows.map((r) => ({
    modelVersion: String(r.model_version),
    n: Number(r.n),
    firstMinute: Number(r.first_minute),
    lastMinute: Number(r.last_minute),
  }));
}

/** First and last minute holding predictions (`null` for an empty log); two index lookups. */
export function predictionMinuteSpan(
  db: DatabaseSync,
): { firstMinute: number; lastMinute: number } | null {
  const row = db.prepare(
    `SELECT (SELECT min(minute) FROM prediction_minutes) AS first_minute,
            (SELECT max(minute) FROM prediction_minutes) AS last_minute`,
  ).get() as { first_minute: number | null; last_minute: number | null };
  return row.first_minute === null || row.last_minute === null
    ? null
    : { firstMinute: row.first_minute, lastMinute: row.last_minute };
}

/** Epoch minute of an ISO timestamp or a Date (floor). */
export function minuteOf(time: string | Date | number): number {
  const ms = typeof time === "number" ? time : new Date(time).getTime();
  return Math.floor(ms / 60_000);
}
