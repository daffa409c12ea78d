/**
 * The `outcomes` table: what happened to each scored application (defaulted
 * or repaid), fed back by the lender, one per request id; and the labelled
 * predictions that performance monitoring reads.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

/** A realised outcome. */
export type Outcome = "default" | "repaid";

/** One outcome as recorded. */
export interface OutcomeRecord {
  request_id: string;
  outcome: Outcome;
  /** When the outcome was observed (ISO 8601). */
  observed_at: string;
  /** When the service recorded it (ISO 8601 UTC). */
  recorded_at: string;
}

/**
 * What recording did: `recorded` (new), `unchanged` (the same outcome was
 * already there: idempotent repeat), `conflict` (a different outcome is
 * already recorded; it is kept), `unknown_request` (no such prediction),
 * `before_prediction` (observed before the application was scored).
 */
export type RecordResult =
  | { status: "recorded" | "unchanged" | "conflict"; record: OutcomeRecord }
  | { status: "unknown_request" }
  | { status: "before_prediction"; predicted_at: string };

/**
 * Returns a function recording outcomes on `db` (prepared once). Timestamps
 * must be normalised ISO 8601 UTC (`Date#toISOString`) so they compare as text.
 */
export function createOutcomeRecorder(
  db: DatabaseSync,
): (input: Omit<OutcomeRecord, "recorded_at">, now: Date) => RecordResult {
  const scoredAt = db.prepare(
    "SELECT min(ts_utc) AS ts FROM predictions WHERE request_id = ?",
  );
  const existing = db.prepare(
    "SELECT request_id, outcome, observed_at, recorded_at FROM outcomes WHERE request_id = ?",
  );
  const insert = db.prepare(
    "INSERT INTO outcomes (request_id, outcome, observed_at, recorded_at) VALUES (?, ?, ?, ?)",
  );
  return (input, now) => {
    const before = existing.get(input.request_id) as OutcomeRecord | undefined;
    if (before) {
      const same = before.outcome === input.outcome && before.observed_at === input.observed_at;
      return { status: same ? "unchanged" : "conflict", record: { ...before } };
    }
    const { ts } = scoredAt.get(input.request_id) as { ts: string | null };
    if (ts === null) return { status: "unknown_request" };
    if (input.observed_at < ts) return { status: "before_prediction", predicted_at: ts };
    const record = { ...input, recorded_at: now.toISOString() };
    insert.run(record.request_id, record.outcome, record.observed_at, record.recorded_at);
    return { status: "recorded", record };
  };
}

/** A prediction with its outcome, if known (1 = default, 0 = repaid). */
export interface LabelledPrediction {
  proba: number;
  decision: "approve" | "reject";
  label: 0 | 1 | null;
}

/** Which predictions to read for performance monitoring. */
export interface OutcomeQuery {
  /** Inclusive lower bound on the prediction's `ts_utc`. */
  since?: string;
  /** Exclusive upper bound on the prediction's `ts_utc`. */
  until?: string;
  /** The most recent `limit` predictions of the window (memory bound). */
  limit: number;
}

/**
 * The most recent predictions of a window (by `ts_utc`, then id) with their
 * outcomes (null when not fed back yet), oldest first.
 *
 * Ordered by `ts_utc` so SQLite walks the `predictions_ts` index backwards
 * and stops after `limit` rows; ordering by id instead made it join and sort
 * the whole window first (1.7 s for 2,000 rows of a 1,000,000-row log).
 */
export function labelledPredictions(db: DatabaseSync, query: OutcomeQuery): LabelledPrediction[] {
  const rows = db.prepare(
    `SELECT p.proba_default AS proba, p.decision AS decision,
            CASE o.outcome WHEN 'default' THEN 1 WHEN 'repaid' THEN 0 END AS label
       FROM predictions p LEFT JOIN outcomes o ON o.request_id = p.request_id
      WHERE p.ts_utc >= ? AND p.ts_utc < ?
      ORDER BY p.ts_utc DESC, p.id DESC LIMIT ?`,
  ).all(query.since ?? "", query.until ?? "\uffff", query.limit) as unknown as LabelledPrediction[];
  return rows.reverse();
}

/** Which labelled predictions to read. */
export interface LabelledQuery extends OutcomeQuery {
  /**
   * Look at most this many of the window's most recent predictions for
   * outcomes (bounds the time on a large log with few outcomes).
   */
  scanRows: number;
}

/**
 * The most recent predictions of a window that have an outcome, oldest first:
 * at most `limit` of them, among the window's `scanRows` most recent
 * predictions.
 */
export function labelledOnly(db: DatabaseSync, query: LabelledQuery): LabelledPrediction[] {
  const rows = db.prepare(
    `SELECT p.proba_default AS proba, p.decision AS decision,
            CASE o.outcome WHEN 'default' THEN 1 WHEN 'repaid' THEN 0 END AS label
       FROM (SELECT id, ts_utc, request_id, proba_default, decision FROM predictions
              WHERE ts_utc >= ? AND ts_utc < ?
              ORDER BY ts_utc DESC, id DESC LIMIT ?) p
       JOIN outcomes o ON o.request_id = p.request_id
      ORDER BY p.ts_utc DESC, p.id DESC LIMIT ?`,
  ).all(
    query.since ?? "",
    query.until ?? "\uffff",
    query.scanRows,
    query.limit,
  ) as unknown as LabelledPrediction[];
  return rows.reverse();
}
