/**
 * The rows one model version scored, as one derived table with the columns
 * of `predictions`: the rows it answered as champion (`predictions` with its
 * `model_version`) and the rows it scored in the shadow (`shadow_predictions`
 * joined to the logged row: the application's time, client, request id,
 * features and latency; the version's own score, threshold, decision and
 * reasons). Per-version drift and performance read the log through it, so
 * each version is measured on everything it scored, against its own
 * reference.
 *
 * Each half walks an index: the answered half `predictions_ts` (or the
 * primary key), the shadow half `shadow_predictions_version`
 * (model_version, prediction_id).
 *
 * @module
 */
import type { SqlValue } from "./_sql.ts";

/** One version's rows of a window. */
export interface VersionWindow {
  modelVersion: string;
  /** Inclusive lower bound on `ts_utc`. */
  since?: string;
  /** Exclusive upper bound on `ts_utc`. */
  until?: string;
}

/** Where each column of a version row comes from in the shadow half. */
const SHADOW_SIDE: Record<string, "p" | "s"> = {
  id: "p",
  ts_utc: "p",
  client_id: "p",
  request_id: "p",
  model_version: "s",
  proba_default: "s",
  threshold: "s",
  decision: "s",
  latency_ms: "p",
  input_json: "p",
  reasons_json: "s",
};

/** A column of `predictions` a version row has. */
export type VersionColumn = keyof typeof SHADOW_SIDE;

/**
 * A compound SELECT (no outer parentheses) of the version's rows of a window
 * with `columns`; with `recent`, only the `recent` most recent (highest id)
 * rows of each half, so a caller taking the most recent N of the union reads
 * at most 2N rows.
 */
export function versionRowsSelect(
  q: VersionWindow,
  columns: readonly VersionColumn[],
  recent?: number,
): { sql: string; params: SqlValue[] } {
  const window = (alias: string) => {
    const parts: string[] = [];
    const params: SqlValue[] = [];
    if (q.since !== undefined) parts.push(`${alias}ts_utc >= ?`), params.push(q.since);
    if (q.until !== undefined) parts.push(`${alias}ts_utc < ?`), params.push(q.until);
    return { sql: parts.map((p) => ` AND ${p}`).join(""), params };
  };
  const own = window("");
  const shadowWindow = window("p.");
  const answered = `SELECT ${columns.join(", ")} FROM predictions
    WHERE model_version = ?${own.sql}`;
  const shadowed = `SELECT ${columns.map((c) => `${SHADOW_SIDE[c]}.${c} AS ${c}`).join(", ")}
    FROM shadow_predictions s JOIN predictions p ON p.id = s.prediction_id
    WHERE s.model_version = ?${shadowWindow.sql}`;
  const params = [q.modelVersion, ...own.params, q.modelVersion, ...shadowWindow.params];
  if (recent === undefined) return { sql: `${answered} UNION ALL ${shadowed}`, params };
  return {
    sql: `SELECT * FROM (${answered} ORDER BY id DESC LIMIT ?) va
      UNION ALL SELECT * FROM (${shadowed} ORDER BY s.prediction_id DESC LIMIT ?) vs`,
    params: [q.modelVersion, ...own.params, recent, q.modelVersion, ...shadowWindow.params, recent],
  };
}
