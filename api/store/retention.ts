/**
 * Personal data in the audit log: retention (delete predictions older than N
 * days) and erasure (delete one applicant's rows by request id).
 *
 * - Rows of every other table with a `request_id` column (e.g. `outcomes`)
 *   go with their predictions, in the same transaction.
 * - Deletes run with `PRAGMA secure_delete` (freed pages are zeroed) and end
 *   with a `wal_checkpoint(TRUNCATE)`, so the deleted input does not linger in
 *   free pages or old WAL frames.
 * - Aggregates are kept: the per-minute rollups (`prediction_minutes`,
 *   `request_minutes`) and stored drift reports hold counts and histograms,
 *   no applicant's data.
 *
 * Retention deletes in bounded chunks, one short transaction each, pausing
 * between them: the writer thread waits at most `busy_timeout` (100 ms) for
 * the lock, so a chunk must stay well below it (measured on a 100,000-row log:
 * about 13–26 ms per 1,000 rows, about 90 ms per 10,000 — hence 1,000).
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { inTransaction } from "./sql.ts";

/** Options for {@link deleteOlderThan}. */
export interface DeleteOlderThanOptions {
  /** Rows deleted per transaction. Default 1000. */
  chunkRows?: number;
  /** Pause between chunks, so the writer and the event loop get their turn. Default 10 ms. */
  pauseMs?: number;
  /** Stops between chunks (the rows deleted so far stay deleted). */
  signal?: AbortSignal;
}

/** What {@link deleteByRequestId} deleted. */
export interface Erasure {
  /** Prediction rows deleted. */
  predictions: number;
  /** Rows deleted from other tables with a `request_id` column, by table. */
  related: Record<string, number>;
  /**
   * Batch items logged under `<requestId>:<row>` that were left in place
   * (pass `wholeBatch` to delete them).
   */
  batchItemsKept: number;
}

/** Options for {@link deleteByRequestId}. */
export interface DeleteByRequestIdOptions {
  /**
   * Also delete every item of the batch sent with this X-Request-Id
   * (`<requestId>:<row>`). Off by default: a batch usually holds many
   * applicants, and one applicant is one item id.
   */
  wholeBatch?: boolean;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Tables other than `predictions` that have a `request_id` column. */
export function relatedTables(db: DatabaseSync): string[] {
  const rows = db.prepare(
    `SELECT m.name AS name FROM sqlite_schema m, pragma_table_info(m.name) c
      WHERE m.type = 'table' AND c.name = 'request_id' AND m.name <> 'predictions'
      ORDER BY m.name`,
  ).all() as { name: string }[];
  return rows.map((r) => r.name);
}

/** Runs `work` in one write transaction with `secure_delete` on, restoring the setting. */
function secureTransaction<T>(db: DatabaseSync, work: () => T): T {
  const before = (db.prepare("PRAGMA secure_delete").get() as { secure_delete: number })
    .secure_delete;
  db.exec("PRAGMA secure_delete = ON");
  try {
    return inTransaction(db, work);
  } finally {
    db.exec(`PRAGMA secure_delete = ${before ? "ON" : "OFF"}`);
  }
}

/**
 * Copies the WAL into the database and truncates it, so old copies of
 * deleted rows leave the disk. Best effort: a reader holding an old snapshot
 * makes it partial (`false`); the next checkpoint completes it.
 */
export function checkpointTruncate(db: DatabaseSync): boolean {
  const row = db.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number } | undefined;
  return row === undefined || row.busy === 0;
}

function toIso(cutoff: string): string {
  const ms = Date.parse(cutoff);
  if (!Number.isFinite(ms)) throw new RangeError(`not a date: ${JSON.stringify(cutoff)}`);
  return new Date(ms).toISOString();
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Deletes the predictions logged before `cutoffIso` (and their related rows),
 * oldest first, `chunkRows` per transaction. Resolves with the number of
 * predictions deleted.
 */
export async function deleteOlderThan(
  db: DatabaseSync,
  cutoffIso: string,
  options: DeleteOlderThanOptions = {},
): Promise<number> {
  const cutoff = toIso(cutoffIso);
  const chunkRows = Math.max(1, Math.trunc(options.chunkRows ?? 1000));
  const pauseMs = options.pauseMs ?? 10;
  const chunk = db.prepare(
    `DELETE FROM predictions WHERE id IN
       (SELECT id FROM predictions WHERE ts_utc < ? ORDER BY id LIMIT ?)
     RETURNING request_id`,
  );
  // Related rows go once no prediction carries their request id any more.
  const related = relatedTables(db).map((table) =>
    db.prepare(
      `DELETE FROM ${quote(table)} WHERE request_id IN (SELECT value FROM json_each(?))
         AND NOT EXISTS (SELECT 1 FROM predictions p WHERE p.request_id = ${
        quote(table)
      }.request_id)`,
    )
  );
  let total = 0;
  for (;;) {
    if (options.signal?.aborted) break;
    const n = secureTransaction(db, () => {
      const ids = (chunk.all(cutoff, chunkRows) as { request_id: string }[]).map((r) =>
        r.request_id
      );
      if (ids.length) {
        const json = JSON.stringify(ids);
        for (const stmt of related) stmt.run(json);
      }
      return ids.length;
    });
    total += n;
    if (n < chunkRows) break;
    await pause(pauseMs);
  }
  if (total > 0) checkpointTruncate(db);
  return total;
}

/**
 * Deletes one applicant's rows: the predictions logged under `requestId`
 * exactly (a single prediction, or one batch item `<id>:<row>`), or with
 * `wholeBatch` every item of that batch too, and the related rows (outcomes…)
 * of the same ids. One transaction, then a WAL checkpoint.
 */
export function deleteByRequestId(
  db: DatabaseSync,
  requestId: string,
  options: DeleteByRequestIdOptions = {},
): Erasure {
  // `<id>:` ≤ request_id < `<id>;` is exactly the ids starting with `<id>:`
  // (';' follows ':' in code-point order), without LIKE's wildcards (`_`).
  const lo = `${requestId}:`;
  const hi = `${requestId};`;
  const match = options.wholeBatch
    ? "(request_id = ? OR (request_id >= ? AND request_id < ?))"
    : "request_id = ?";
  const params = options.wholeBatch ? [requestId, lo, hi] : [requestId];
  const tables = relatedTables(db);
  const erasure = secureTransaction(db, (): Erasure => {
    const related: Record<string, number> = {};
    for (const table of tables) {
      related[table] = Number(
        db.prepare(`DELETE FROM ${quote(table)} WHERE ${match}`).run(...params).changes,
      );
    }
    const predictions = Number(
      db.prepare(`DELETE FROM predictions WHERE ${match}`).run(...params).changes,
    );
    const kept = options.wholeBatch ? { n: 0 } : db.prepare(
      "SELECT COUNT(*) AS n FROM predictions WHERE request_id >= ? AND request_id < ?",
    ).get(lo, hi) as { n: number };
    return { predictions, related, batchItemsKept: kept.n };
  });
  if (erasure.predictions > 0 || Object.values(erasure.related).some((n) => n > 0)) {
    checkpointTruncate(db);
  }
  return erasure;
}

/** Options for {@link startRetention}. */
export interface RetentionOptions {
  /** The connection to delete through (the store's `db`). */
  db: DatabaseSync;
  /** Keep this many days of predictions; 0 (or less) keeps everything and starts nothing. */
  days: number;
  /** Time between passes. Default one hour. The first pass runs at once. */
  intervalMs?: number;
  /** Wall clock (tests pin it). */
  now?: () => Date;
  /** Chunking of each pass (see {@link deleteOlderThan}). */
  chunkRows?: number;
  pauseMs?: number;
  /** After each pass: rows deleted and the cutoff used. */
  onPass?(deleted: number, cutoffIso: string): void;
  /** A pass failed (e.g. the database was locked); the next pass retries. Default: warn. */
  onError?(error: unknown): void;
}

const DAY_MS = 86_400_000;

/**
 * Deletes predictions older than `days` now (the first pass starts at once)
 * and then every `intervalMs`. Returns `stop`, which cancels the schedule and
 * resolves once a pass in progress has stopped (between two chunks). The
 * timer between passes does not keep the process alive.
 */
export function startRetention(options: RetentionOptions): () => Promise<void> {
  if (!(options.days > 0)) return () => Promise.resolve();
  const now = options.now ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 3_600_000;
  const onError = options.onError ??
    ((err: unknown) => console.warn(`retention: pass failed: ${(err as Error).message}`));
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();

  const pass = async () => {
    const cutoff = new Date(now().getTime() - options.days * DAY_MS).toISOString();
    try {
      const deleted = await deleteOlderThan(options.db, cutoff, {
        chunkRows: options.chunkRows,
        pauseMs: options.pauseMs,
        signal: abort.signal,
      });
      options.onPass?.(deleted, cutoff);
    } catch (err) {
      onError(err);
    }
  };
  const run = () => {
    running = pass().then(() => {
      if (abort.signal.aborted) return;
      timer = setTimeout(run, intervalMs);
      Deno.unrefTimer(timer);
    });
  };
  run();

  return async () => {
    abort.abort();
    clearTimeout(timer);
    await running;
  };
}
