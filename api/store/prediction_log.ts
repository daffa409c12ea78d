/**
 * The `predictions` table: writing audit rows and reading them back.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { aggregateMinutes, createMinuteRollupWriter } from "./minute_rollup.ts";
import {
  PREDICTION_COLUMNS,
  type PredictionRecord,
  type StoredPrediction,
} from "./prediction_record.ts";
import { inTransaction, where } from "./sql.ts";

export { PREDICTION_COLUMNS };
export type { PredictionRecord, StoredPrediction };

/**
 * Returns a function that inserts rows in one transaction, with their
 * per-minute rollup: all of them, or none (the error is rethrown after the
 * rollback).
 */
export function createPredictionInserter(
  db: DatabaseSync,
): (rows: readonly PredictionRecord[]) => void {
  const insert = db.prepare(
    `INSERT INTO predictions (${PREDICTION_COLUMNS.join(", ")}) VALUES (${
      PREDICTION_COLUMNS.map(() => "?").join(", ")
    })`,
  );
  const addToRollup = createMinuteRollupWriter(db);
  return (rows) =>
    inTransaction(db, () => {
      const ids = new Array<number>(rows.length);
      for (const [i, r] of rows.entries()) {
        ids[i] = Number(
          insert.run(
            r.ts_utc,
            r.request_id,
            r.model_version,
            r.proba_default,
            r.threshold,
            r.decision,
            r.latency_ms,
            r.input_json,
            r.reasons_json ?? null,
          ).lastInsertRowid,
        );
      }
      addToRollup(aggregateMinutes(rows, ids));
    });
}

/** Which predictions to read. */
export interface PredictionQuery {
  /** Inclusive lower bound on `ts_utc` (ISO 8601). */
  since?: string;
  /** Exclusive upper bound on `ts_utc` (ISO 8601). */
  until?: string;
  /** Only the most recent `limit` rows of the window. */
  limit?: number;
}

function whereClause(q: PredictionQuery) {
  return where(["ts_utc >= ?", q.since], ["ts_utc < ?", q.until]);
}

/**
 * Streams the predictions of a window, oldest first, one row at a time (memory
 * stays bounded whatever the window size). With `limit`, the most recent
 * `limit` rows of the window.
 */
export function iteratePredictions(
  db: DatabaseSync,
  query: PredictionQuery = {},
): IterableIterator<StoredPrediction> {
  const { sql, params } = whereClause(query);
  const cols = `id, ${PREDICTION_COLUMNS.join(", ")}`;
  const text = query.limit === undefined
    ? `SELECT ${cols} FROM predictions ${sql} ORDER BY id`
    : `SELECT * FROM (SELECT ${cols} FROM predictions ${sql} ORDER BY id DESC LIMIT ?) ORDER BY id`;
  if (query.limit !== undefined) params.push(query.limit);
  return db.prepare(text).iterate(...params) as IterableIterator<StoredPrediction>;
}

/** How many rows {@link iteratePredictions} returns for `query` (for progress displays). */
export function countPredictions(db: DatabaseSync, query: PredictionQuery = {}): number {
  const { sql, params } = whereClause(query);
  const row = db.prepare(`SELECT COUNT(*) AS n FROM predictions ${sql}`).get(...params) as {
    n: number;
  };
  return query.limit === undefined ? row.n : Math.min(row.n, query.limit);
}

/** All rows logged under one request id (a batch logs one id per row). */
export function findByRequestId(db: DatabaseSync, requestId: string): StoredPrediction[] {
  return db.prepare(
    `SELECT id, ${PREDICTION_COLUMNS.join(", ")} FROM predictions WHERE request_id = ?`,
  )
    .all(requestId) as unknown as StoredPrediction[];
}
