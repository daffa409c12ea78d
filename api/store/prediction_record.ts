/**
 * The shape of one audit row of `predictions`: what the predictor logs and
 * what readers get back.
 *
 * @module
 */

/** One scored application, as logged. */
export interface PredictionRecord {
  /** ISO 8601 UTC timestamp, millisecond precision. */
  ts_utc: string;
  request_id: string;
  model_version: string;
  proba_default: number;
  threshold: number;
  decision: "approve" | "reject";
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
  "request_id",
  "model_version",
  "proba_default",
  "threshold",
  "decision",
  "latency_ms",
  "input_json",
  "reasons_json",
] as const satisfies readonly (keyof PredictionRecord)[];
