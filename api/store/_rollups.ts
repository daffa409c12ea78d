/**
 * `prediction_minutes`: the per-minute × model-version rollup of the audit
 * log (counts, sums, score bins), kept in step with `predictions` inside the
 * log's own transactions, and the dashboard reads on it. The rows of one
 * commit are aggregated here and written with one upsert per minute ×
 * version, instead of a trigger firing an upsert per row (measured: the
 * trigger cost about 10 µs per row, the biggest part of a batch commit). A
 * read costs in proportion to the minutes of its window (≤ 10,080 for 7
 * days), not to the number of logged predictions.
 *
 * Minutes are whole UTC epoch minutes of `ts_utc` (0 for an unreadable one).
 *
 * @module
 */
import { SCORE_BIN_COLUMNS, SCORE_BIN_COUNT, scoreBin } from "./histograms.ts";
import type { PredictionRecord } from "./_records.ts";
import { type Dialect, placeholders, type Sql, type SqlValue, where } from "./_sql.ts";

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

/** Epoch minute of a timestamp as migration 2's SQL computes it (0 when unreadable). */
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
    cell.rejects += r.decision;
    cell.sum_proba += r.proba_default;
    cell.sum_latency_ms += r.latency_ms;
    cell.min_id = Math.min(cell.min_id, ids[i]);
    cell.max_id = Math.max(cell.max_id, ids[i]);
    cell.bins[scoreBin(r.proba_default)]++;
  });
  return [...cells.values()];
}

/** The upsert adding one {@link MinuteDelta} (parameters from {@link rollupParams}). */
export function rollupUpsertSql(dialect: Dialect): string {
  const bins = SCORE_BIN_COLUMNS;
  const t = "prediction_minutes";
  return `INSERT INTO ${t} (minute, model_version, n, rejects, sum_proba, sum_latency_ms,
       min_id, max_id, ${bins.join(", ")})
     VALUES (${placeholders(8 + bins.length)})
     ON CONFLICT (minute, model_version) DO UPDATE SET
       n = ${t}.n + excluded.n,
       rejects = ${t}.rejects + excluded.rejects,
       sum_proba = ${t}.sum_proba + excluded.sum_proba,
       sum_latency_ms = ${t}.sum_latency_ms + excluded.sum_latency_ms,
       min_id = ${dialect.least(`${t}.min_id`, "excluded.min_id")},
       max_id = ${dialect.greatest(`${t}.max_id`, "excluded.max_id")},
       ${bins.map((c) => `${c} = ${t}.${c} + excluded.${c}`).join(",\n       ")}`;
}

/** The parameters of {@link rollupUpsertSql} for one delta. */
export function rollupParams(d: MinuteDelta): SqlValue[] {
  return [
    d.minute,
    d.model_version,
    d.n,
    d.rejects,
    d.sum_proba,
    d.sum_latency_ms,
    d.min_id,
    d.max_id,
    ...d.bins,
  ];
}

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

/** Options for {@link RollupReads.series}. */
export interface SeriesFilter extends RollupFilter {
  /** Bucket width in minutes (≥ 1). */
  bucketMinutes: number;
}

/** The dashboard's reads on the rollup. */
export interface RollupReads {
  /** Totals and score histogram of a window. */
  totals(filter?: RollupFilter): Promise<PredictionTotals>;
  /** Per-bucket aggregates of a window, oldest first; empty buckets are absent. */
  series(filter: SeriesFilter): Promise<PredictionBucket[]>;
  /** Rows per model version in a window, most recently seen first. */
  versions(filter?: RollupFilter): Promise<VersionCount[]>;
  /** First and last minute holding predictions (`null` for an empty log); two index lookups. */
  minuteSpan(): Promise<{ firstMinute: number; lastMinute: number } | null>;
}

function whereFilter(filter: RollupFilter) {
  return where(
    ["minute >= ?", filter.fromMinute],
    ["minute < ?", filter.toMinute],
    ["model_version = ?", filter.modelVersion],
  );
}

type Row = Record<string, number | string | null>;
const num = (v: number | string | null | undefined) => Number(v ?? 0);

/** The rollup reads over an executor. */
export function rollupReads(sql: Sql): RollupReads {
  return {
    async totals(filter = {}) {
      const w = whereFilter(filter);
      const bins = SCORE_BIN_COLUMNS.map((c) => `coalesce(sum(${c}), 0) AS ${c}`).join(", ");
      const row = (await sql.get<Row>(
        `SELECT coalesce(sum(n), 0) AS n, coalesce(sum(rejects), 0) AS rejects,
           coalesce(sum(sum_proba), 0) AS sum_proba,
           coalesce(sum(sum_latency_ms), 0) AS sum_latency,
           min(min_id) AS min_id, max(max_id) AS max_id, ${bins}
         FROM prediction_minutes ${w.sql}`,
        w.params,
      ))!;
      return {
        n: num(row.n),
        rejects: num(row.rejects),
        sumProba: num(row.sum_proba),
        sumLatencyMs: num(row.sum_latency),
        minId: row.min_id === null ? null : Number(row.min_id),
        maxId: row.max_id === null ? null : Number(row.max_id),
        scoreCounts: SCORE_BIN_COLUMNS.map((c) => num(row[c])),
      };
    },
    async series(filter) {
      const size = Math.max(1, Math.trunc(filter.bucketMinutes));
      const w = whereFilter(filter);
      const rows = await sql.all<Row>(
        `SELECT (minute / ${size}) * ${size} AS bucket, sum(n) AS n, sum(rejects) AS rejects,
           sum(sum_proba) AS sum_proba, sum(sum_latency_ms) AS sum_latency
         FROM prediction_minutes ${w.sql} GROUP BY 1 ORDER BY 1`,
        w.params,
      );
      return rows.map((r) => ({
        minute: num(r.bucket),
        n: num(r.n),
        rejects: num(r.rejects),
        sumProba: num(r.sum_proba),
        sumLatencyMs: num(r.sum_latency),
      }));
    },
    async versions(filter = {}) {
      const w = whereFilter(filter);
      const rows = await sql.all<Row>(
        `SELECT model_version, sum(n) AS n, min(minute) AS first_minute,
           max(minute) AS last_minute
         FROM prediction_minutes ${w.sql} GROUP BY model_version ORDER BY last_minute DESC`,
        w.params,
      );
      return rows.map((r) => ({
        modelVersion: String(r.model_version),
        n: num(r.n),
        firstMinute: num(r.first_minute),
        lastMinute: num(r.last_minute),
      }));
    },
    async minuteSpan() {
      const row = (await sql.get<Row>(
        `SELECT (SELECT min(minute) FROM prediction_minutes) AS first_minute,
                (SELECT max(minute) FROM prediction_minutes) AS last_minute`,
      ))!;
      return row.first_minute === null || row.last_minute === null
        ? null
        : { firstMinute: num(row.first_minute), lastMinute: num(row.last_minute) };
    },
  };
}

/** Epoch minute of an ISO timestamp or a Date (floor). */
export function minuteOf(time: string | Date | number): number {
  const ms = typeof time === "number" ? time : new Date(time).getTime();
  return Math.floor(ms / 60_000);
}
