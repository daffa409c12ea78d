/**
 * Messages between the store and its writer worker.
 *
 * @module
 */
import type { OpenDatabaseOptions } from "./database.ts";
import { PREDICTION_COLUMNS, type PredictionRecord } from "./prediction_log.ts";

/** Main thread → worker. */
export type WriterRequest =
  | { type: "open"; path: string; options: OpenDatabaseOptions }
  | { type: "commit"; id: number; cells: PackedRows }
  | { type: "close" };

/** Worker → main thread. */
export type WriterReply =
  | { type: "committed"; id: number }
  | { type: "failed"; id: number; message: string }
  | { type: "open_failed"; message: string }
  | { type: "closed" };

/** Rows as one flat array of their fields, in {@link PACKED_FIELDS} order. */
export type PackedRows = (string | number | null)[];

/**
 * The fields of a packed row: the table's columns. A flat array of primitives
 * crosses threads about twice as cheaply as an array of objects (Deno's
 * worker_threads walks every object of a message looking for ports).
 */
export const PACKED_FIELDS = PREDICTION_COLUMNS;

/** Packs rows for the writer thread. */
export function packRows(rows: readonly PredictionRecord[]): PackedRows {
  const cells: PackedRows = new Array(rows.length * PACKED_FIELDS.length);
  let k = 0;
  for (const r of rows) {
    for (const field of PACKED_FIELDS) cells[k++] = r[field] ?? null;
  }
  return cells;
}

/** Unpacks rows packed by {@link packRows}. */
export function unpackRows(cells: PackedRows): PredictionRecord[] {
  const width = PACKED_FIELDS.length;
  const rows = new Array<PredictionRecord>(cells.length / width);
  for (let i = 0; i < rows.length; i++) {
    const row: Record<string, string | number | null> = {};
    PACKED_FIELDS.forEach((field, j) => (row[field] = cells[i * width + j]));
    rows[i] = row as unknown as PredictionRecord;
  }
  return rows;
}
