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
 * The most recent predictions of a window with their outcomes (null when not
 * fed back yet), oldest first.
 */
export function labelledPredictions(db: DatabaseSync, query: OutcomeQuery): LabelledPrediction[] {
  const rows = db.prepare(
    `SELECT p.proba_default AS proba, p.decision AS decision,
            CASE o.outcome WHEN 'default' THEN 1 WHEN 'repaid' THEN 0 END AS label
       FROM predictions p LEFT JOIN outcomes o ON o.request_id = p.request_id
      WHERE p.ts_utc >= ? AND p.ts_utc < ?
      ORDER BY p.id DESC LIMIT ?`,
  ).all(query.since ?? "", query.until ?? "\uffff", query.limit) as unknown as LabelledPrediction[];
  return rows.reverse();
}
