/**
 * Personal data in the audit log: retention (delete predictions older than N
 * days) and erasure (delete one applicant's rows by request id).
 *
 * - The rows that hang off a prediction (its shadow scores, its outcome) go
 *   with it, in the same transaction.
 * - Each backend scrubs after deleting, so the deleted input does not linger
 *   on disk: SQLite deletes with `secure_delete` (freed pages are zeroed)
 *   and truncates the WAL; PostgreSQL vacuums the tables. A scrub can be held
 *   up — in SQLite by another connection reading an older snapshot (a long
 *   drift run, a backup), whose pages the checkpoint may not overwrite — so
 *   the erase code retries it for up to `scrubWaitMs` and says when it could
 *   not finish ({@link Erasure.scrubbed}, {@link EraseOps.scrub}); an
 *   erasure always scrubs, even when nothing is left to delete, so running
 *   it again finishes the job.
 * - Aggregates are kept: the per-minute rollups and stored drift reports hold
 *   counts and histograms, no applicant's data.
 *
 * Retention deletes in bounded chunks, one short transaction each, pausing
 * between them so the group commit keeps its turn (measured on a
 * 100,000-row SQLite log: about 13–26 ms per 1,000 rows, about 90 ms per
 * 10,000 — hence 1,000).
 *
 * @module
 */
import { placeholders, type Sql, type SqlValue } from "./_sql.ts";

/** Options for {@link EraseOps.olderThan}. */
export interface DeleteOlderThanOptions {
  /** Rows deleted per transaction. Default 1000. */
  chunkRows?: number;
  /** Pause between chunks, so the writer and the event loop get their turn. Default 10 ms. */
  pauseMs?: number;
  /** Stops between chunks (the rows deleted so far stay deleted). */
  signal?: AbortSignal;
  /** Scrub after deleting (default true); retention scrubs on its own ({@link EraseOps.scrub}). */
  scrub?: boolean;
  /** How long to retry a held-up scrub. Default {@link DEFAULT_SCRUB_WAIT_MS}. */
  scrubWaitMs?: number;
}

/** Options for {@link EraseOps.scrub}. */
export interface ScrubOptions {
  /** How long to keep retrying a scrub that is held up. Default {@link DEFAULT_SCRUB_WAIT_MS}. */
  waitMs?: number;
  /** Pause between attempts. Default 100 ms. */
  retryMs?: number;
}

/** How long a scrub is retried by default before the erase code reports it unfinished. */
export const DEFAULT_SCRUB_WAIT_MS = 5000;

/** What {@link EraseOps.byRequestId} deleted. */
export interface Erasure {
  /** Prediction rows deleted. */
  predictions: number;
  /** Rows deleted with them, by table (`outcomes`, `shadow_predictions`). */
  related: Record<string, number>;
  /**
   * Batch items logged under `<requestId>:<row>` that were left in place
   * (pass `wholeBatch` to delete them).
   */
  batchItemsKept: number;
  /**
   * Whether the backend's scrub completed within `scrubWaitMs` (false: the
   * rows are deleted, but copies of their values remain on disk until the
   * scrub succeeds; erase again, or scrub, once the reader is gone).
   */
  scrubbed: boolean;
}

/** Options for {@link EraseOps.byRequestId}. */
export interface DeleteByRequestIdOptions {
  /**
   * Also delete every item of the batch sent with this X-Request-Id
   * (`<requestId>:<row>`). Off by default: a batch usually holds many
   * applicants, and one applicant is one item id.
   */
  wholeBatch?: boolean;
  /** Only this client's rows (default: every client's). */
  clientId?: string;
  /** How long to retry a held-up scrub. Default {@link DEFAULT_SCRUB_WAIT_MS}. */
  scrubWaitMs?: number;
}

/** What a backend does around deletes. */
export interface EraseHooks {
  /** Runs `work` in a transaction whose deletes leave no readable copy in freed space. */
  secureTransaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * One attempt to remove old copies of deleted rows from disk: true when
   * none remain, false when it could not finish now. It should not wait for
   * other connections itself (the erase code retries, pausing in between)
   * and is safe to call when there is nothing to scrub.
   */
  scrub(): Promise<boolean>;
}

/** Retention and erasure. */
export interface EraseOps {
  /**
   * Deletes the predictions logged before `cutoffIso` (and what hangs off
   * them), oldest first, `chunkRows` per transaction, then scrubs. Resolves
   * with the number of predictions deleted.
   */
  olderThan(cutoffIso: string, options?: DeleteOlderThanOptions): Promise<number>;
  /**
   * Deletes one applicant's rows: the predictions logged under `requestId`
   * exactly (a single prediction, or one batch item `<id>:<row>`), or with
   * `wholeBatch` every item of that batch too, and what hangs off them. One
   * transaction, then a scrub.
   */
  byRequestId(requestId: string, options?: DeleteByRequestIdOptions): Promise<Erasure>;
  /**
   * Scrubs, retrying while it is held up, for up to `waitMs`: true once no
   * copy of a deleted row remains on disk.
   */
  scrub(options?: ScrubOptions): Promise<boolean>;
}

function toIso(cutoff: string): string {
  const ms = Date.parse(cutoff);
  if (!Number.isFinite(ms)) throw new RangeError(`not a date: ${JSON.stringify(cutoff)}`);
  return new Date(ms).toISOString();
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Deleted {
  id: number;
  request_id: string;
  client_id: string;
}

/** Deletes the shadow scores and outcomes of deleted predictions; counts per table. */
async function deleteRelated(tx: Sql, rows: readonly Deleted[]): Promise<Record<string, number>> {
  if (rows.length === 0) return { outcomes: 0, shadow_predictions: 0 };
  const ids = rows.map((r) => r.id);
  const shadows = await tx.run(
    `DELETE FROM shadow_predictions WHERE prediction_id IN (${placeholders(ids.length)})`,
    ids,
  );
  const pairs: SqlValue[] = rows.flatMap((r) => [r.request_id, r.client_id]);
  const outcomes = await tx.run(
    `DELETE FROM outcomes WHERE ${
      rows.map(() => "(request_id = ? AND client_id = ?)").join(" OR ")
    }`,
    pairs,
  );
  return { outcomes, shadow_predictions: shadows };
}

/** Retries the backend's scrub every `retryMs` until it completes or `waitMs` have passed. */
async function scrubWithin(hooks: EraseHooks, options: ScrubOptions = {}): Promise<boolean> {
  const waitMs = options.waitMs ?? DEFAULT_SCRUB_WAIT_MS;
  const retryMs = Math.max(1, options.retryMs ?? 100);
  const deadline = performance.now() + waitMs;
  for (;;) {
    if (await hooks.scrub()) return true;
    if (performance.now() + retryMs > deadline) return false;
    await pause(retryMs);
  }
}

/** Retention and erasure, through the backend's hooks. */
export function eraseOps(hooks: EraseHooks): EraseOps {
  return {
    scrub: (options) => scrubWithin(hooks, options),
    async olderThan(cutoffIso, options = {}) {
      const cutoff = toIso(cutoffIso);
      const chunkRows = Math.max(1, Math.trunc(options.chunkRows ?? 1000));
      const pauseMs = options.pauseMs ?? 10;
      let total = 0;
      for (;;) {
        if (options.signal?.aborted) break;
        const n = await hooks.secureTransaction(async (tx) => {
          const rows = await tx.all<Deleted>(
            `DELETE FROM predictions WHERE id IN
               (SELECT id FROM predictions WHERE ts_utc < ? ORDER BY id LIMIT ?)
             RETURNING id, request_id, client_id`,
            [cutoff, chunkRows],
          );
          await deleteRelated(tx, rows.map((r) => ({ ...r, id: Number(r.id) })));
          return rows.length;
        });
        total += n;
        if (n < chunkRows) break;
        await pause(pauseMs);
      }
      if (total > 0 && options.scrub !== false) {
        await scrubWithin(hooks, { waitMs: options.scrubWaitMs });
      }
      return total;
    },
    async byRequestId(requestId, options = {}) {
      // `<id>:` ≤ request_id < `<id>;` is exactly the ids starting with `<id>:`
      // (';' follows ':' in code-point order), without LIKE's wildcards (`_`).
      const lo = `${requestId}:`;
      const hi = `${requestId};`;
      const match = options.wholeBatch
        ? "(request_id = ? OR (request_id >= ? AND request_id < ?))"
        : "request_id = ?";
      const client = options.clientId === undefined ? "" : " AND client_id = ?";
      const params: SqlValue[] = options.wholeBatch ? [requestId, lo, hi] : [requestId];
      if (options.clientId !== undefined) params.push(options.clientId);
      const erasure = await hooks.secureTransaction(async (tx) => {
        const rows = await tx.all<Deleted>(
          `DELETE FROM predictions WHERE ${match}${client} RETURNING id, request_id, client_id`,
          params,
        );
        const related = await deleteRelated(tx, rows.map((r) => ({ ...r, id: Number(r.id) })));
        // Outcomes whose prediction was already gone (retention) go too.
        related.outcomes += await tx.run(
          `DELETE FROM outcomes WHERE ${match}${client}`,
          params,
        );
        const kept = options.wholeBatch ? undefined : await tx.get<{ n: number }>(
          `SELECT COUNT(*) AS n FROM predictions WHERE request_id >= ? AND request_id < ?${client}`,
          options.clientId === undefined ? [lo, hi] : [lo, hi, options.clientId],
        );
        return {
          predictions: rows.length,
          related,
          batchItemsKept: Number(kept?.n ?? 0),
          scrubbed: true,
        };
      });
      // Always, even when nothing was deleted now: an earlier erasure's scrub may have been
      // held up, and erasing again must finish it.
      erasure.scrubbed = await scrubWithin(hooks, { waitMs: options.scrubWaitMs });
      return erasure;
    },
  };
}

/** Options for {@link startRetention}. */
export interface RetentionOptions {
  /** Keep this many days of predictions; 0 (or less) keeps everything and starts nothing. */
  days: number;
  /** Time between passes. Default one hour. The first pass runs at once. */
  intervalMs?: number;
  /** Wall clock (tests pin it). */
  now?: () => Date;
  /** Chunking of each pass (see {@link EraseOps.olderThan}). */
  chunkRows?: number;
  pauseMs?: number;
  /**
   * After each pass: rows deleted, the cutoff used, and whether the scrub
   * completed (false: deleted values remain on disk for now; the next pass
   * retries the scrub even when it deletes nothing).
   */
  onPass?(deleted: number, cutoffIso: string, scrubbed: boolean): void;
  /** How long each pass retries a held-up scrub. Default {@link DEFAULT_SCRUB_WAIT_MS}. */
  scrubWaitMs?: number;
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
export function startRetention(
  erase: Pick<EraseOps, "olderThan" | "scrub">,
  options: RetentionOptions,
): () => Promise<void> {
  if (!(options.days > 0)) return () => Promise.resolve();
  const now = options.now ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 3_600_000;
  const onError = options.onError ??
    ((err: unknown) => console.warn(`retention: pass failed: ${(err as Error).message}`));
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let scrubPending = false;

  const pass = async () => {
    const cutoff = new Date(now().getTime() - options.days * DAY_MS).toISOString();
    try {
      const deleted = await erase.olderThan(cutoff, {
        chunkRows: options.chunkRows,
        pauseMs: options.pauseMs,
        signal: abort.signal,
        scrub: false,
      });
      const scrubbed = deleted > 0 || scrubPending
        ? await erase.scrub({ waitMs: options.scrubWaitMs })
        : true;
      scrubPending = !scrubbed;
      options.onPass?.(deleted, cutoff, scrubbed);
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
