/**
 * The shapes of what the audit log holds: one logged prediction, the scores
 * of shadow models for it, and what one request hands to the group commit.
 *
 * @module
 */

/** A decision on one application: 1 = predicted default (reject), 0 = approve. */
export type Decision = 0 | 1;

/** One scored application, as logged. */
export interface PredictionRecord {
  /** ISO 8601 UTC timestamp, millisecond precision. */
  ts_utc: string;
  /** Id of the API key that scored it ('' in open mode): request ids are unique per client. */
  client_id: string;
  request_id: string;
  model_version: string;
  proba_default: number;
  threshold: number;
  decision: Decision;
  /** Server time spent on validation and scoring before the row was queued. */
  latency_ms: number;
  /** The request's features, as JSON. */
  input_json: string;
  /** Reason codes (JSON array), when the caller asked for an explanation. */
  reasons_json?: string | null;
}

/** A logged row with its database id. */
export interface StoredPrediction extends PredictionRecord {
  id: number;
}

/** The columns of a logged prediction, in table order (besides `id`). */
export const PREDICTION_COLUMNS = [
  "ts_utc",
  "client_id",
  "request_id",
  "model_version",
  "proba_default",
  "threshold",
  "decision",
  "latency_ms",
  "input_json",
  "reasons_json",
] as const satisfies readonly (keyof PredictionRecord)[];

/** A shadow (challenger) model's score of one logged row; never answered to the caller. */
export interface ShadowRecord {
  /** Index of the scored row in its entry's `rows`. */
  row: number;
  model_version: string;
  proba_default: number;
  threshold: number;
  decision: Decision;
  reasons_json?: string | null;
}

/** What one request logs: its rows (all or none) and the shadow scores of those rows. */
export interface LogEntry {
  rows: readonly PredictionRecord[];
  shadows?: readonly ShadowRecord[];
}

/** What became of an entry in its commit. */
export type EntryResult = "logged" | "duplicate";
