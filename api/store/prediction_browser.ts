/**
 * Paging through the audit log for the site's log browser: keyset pagination
 * on the primary key (newest first), so page N costs the same as page 1, and
 * the detail of one row.
 *
 * The caller bounds the id range with the window's `min_id`/`max_id` from the
 * minute rollup, so a time-window filter never walks rows outside the window.
 *
 * @module
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { StoredPrediction } from "./prediction_log.ts";

/** A logged row without its (possibly large) `input_json`. */
export type PredictionSummary = Omit<StoredPrediction, "input_json">;

/** One page request. */
export interface PredictionPageQuery {
  /** Rows on the page (1…500). */
  limit: number;
  /** Only ids below this (the next, older page). */
  beforeId?: number;
  /** Only ids above this (the previous, newer page). */
  afterId?: number;
  /** Inclusive id bounds (e.g. from the minute rollup of a window). */
  minId?: number;
  maxId?: number;
  decision?: "approve" | "reject";
  modelVersion?: string;
  /** Inclusive lower bound on `ts_utc` (ISO 8601). */
  since?: string;
}

const SUMMARY_COLUMNS =
  "id, ts_utc, request_id, model_version, proba_default, threshold, decision, latency_ms";

function where(q: PredictionPageQuery): { sql: string; params: SQLInputValue[] } {
  const parts: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (sql: string, value: SQLInputValue | undefined) => {
    if (value === undefined) return;
    parts.push(sql);
    params.push(value);
  };
  add("id < ?", q.beforeId);
  add("id > ?", q.afterId);
  add("id >= ?", q.minId);
  add("id <= ?", q.maxId);
  add("decision = ?", q.decision);
  add("model_version = ?", q.modelVersion);
  add("ts_utc >= ?", q.since);
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

/**
 * One page of rows, newest first. With `afterId` the page holds the rows just
 * above it (still returned newest first).
 */
export function listPredictions(db: DatabaseSync, query: PredictionPageQuery): PredictionSummary[] {
  const limit = Math.min(500, Math.max(1, Math.trunc(query.limit)));
  const w = where(query);
  const ascending = query.afterId !== undefined && query.beforeId === undefined;
  const rows = db.prepare(
    `SELECT ${SUMMARY_COLUMNS} FROM predictions ${w.sql}
     ORDER BY id ${ascending ? "ASC" : "DESC"} LIMIT ?`,
  ).all(...w.params, limit) as unknown as PredictionSummary[];
  return ascending ? rows.reverse() : rows;
}

/**
 * One logged row by id, with its features and stored reason codes
 * (`undefined` when there is none).
 */
export function getPrediction(db: DatabaseSync, id: number): StoredPrediction | undefined {
  return db.prepare(
    `SELECT ${SUMMARY_COLUMNS}, input_json, reasons_json FROM predictions WHERE id = ?`,
  ).get(id) as StoredPrediction | undefined;
}
