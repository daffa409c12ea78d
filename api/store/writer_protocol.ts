/**
 * Messages between the store and its writer worker.
 *
 * @module
 */
import type { OpenDatabaseOptions } from "./database.ts";
import type { PredictionRecord } from "./prediction_log.ts";

/** Main thread → worker. */
export type WriterRequest =
  | { type: "open"; path: string; options: OpenDatabaseOptions }
  | { type: "commit"; id: number; rows: readonly PredictionRecord[] }
  | { type: "close" };

/** Worker → main thread. */
export type WriterReply =
  | { type: "committed"; id: number }
  | { type: "failed"; id: number; message: string }
  | { type: "open_failed"; message: string }
  | { type: "closed" };
