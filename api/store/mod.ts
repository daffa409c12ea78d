/**
 * The audit store: one SQLite database, one group-commit writer, read queries.
 * The API, the CLI tasks and the site all go through this module.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { openDatabase, type Synchronous } from "./database.ts";
import { createGroupCommitWriter, type GroupCommitEvents } from "./group_commit.ts";
import { SCHEMA_VERSION, schemaVersion } from "./schema.ts";
import {
  createPredictionInserter,
  findByRequestId,
  iteratePredictions,
  type PredictionQuery,
  type PredictionRecord,
  type StoredPrediction,
} from "./prediction_log.ts";
import { inTransaction } from "./sql.ts";

export type { PredictionQuery, PredictionRecord, StoredPrediction, Synchronous };
export { countPredictions } from "./prediction_log.ts";

/** Raised when the audit log could not be written: the caller must not acknowledge. */
export class StoreWriteError extends Error {
  constructor(cause: unknown) {
    super(`audit log write failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "StoreWriteError";
  }
}

/** Options for {@link openStore}. */
export interface StoreOptions extends GroupCommitEvents {
  synchronous?: Synchronous;
  busyTimeoutMs?: number;
  /** Group commit: flush when this many rows are queued. */
  maxBatchRows?: number;
  /** Group commit: flush at the latest this long after the first queued row. */
  flushDelayMs?: number;
  /**
   * Open for reading only (monitoring tasks): no migration, no writes (append
   * and checkWritable fail). The database must already hold a schema this
   * code knows.
   */
  readOnly?: boolean;
  /**
   * Test/ops hook: extra PRAGMAs run on the connection, e.g. `["max_page_count = 64"]` to emulate a full disk.
   * See `OpenDatabaseOptions.pragmas`.
   */
  pragmas?: readonly string[];
  /**
   * After a commit failed because the disk is full (or an I/O error),
   * `checkWritable` answers false for this long unless a commit succeeds
   * meanwhile: the one-row probe alone cannot see a full disk. Default 5000 ms.
   */
  fullDiskHoldMs?: number;
}

/** SQLite's messages for SQLITE_FULL and SQLITE_IOERR. */
const FULL_OR_IO_ERROR = /database or disk is full|disk I\/O error/;

/** The audit store. */
export interface Store {
  readonly path: string;
  /** The underlying connection, for read queries of the site and CLI tasks. */
  readonly db: DatabaseSync;
  /**
   * Logs rows; resolves once they are committed, in one transaction with any
   * rows queued concurrently. Rejects with {@link StoreWriteError} otherwise.
   */
  append(rows: readonly PredictionRecord[]): Promise<void>;
  /** Rows queued for the next commit. */
  readonly queueDepth: number;
  /**
   * Commits a one-row probe write: true when the database takes writes now.
   * Also false for a while after a commit failed on a full disk (see
   * `fullDiskHoldMs`).
   */
  checkWritable(): boolean;
  iterate(query?: PredictionQuery): IterableIterator<StoredPrediction>;
  findByRequestId(requestId: string): StoredPrediction[];
  count(): number;
  /** Commits what is queued, waits for it, then closes the database. */
  close(): Promise<void>;
}

/** Throws (and closes `db`) unless it holds a schema version this code reads. */
function assertReadableSchema(db: DatabaseSync, path: string): void {
  let version: number;
  try {
    version = schemaVersion(db);
  } catch (err) {
    db.close();
    throw new Error(`${path}: not a readable SQLite database (${(err as Error).message})`);
  }
  if (version === 0 || version > SCHEMA_VERSION) {
    db.close();
    throw new Error(
      version === 0
        ? `${path}: not a Scorewatch audit database (no schema)`
        : `${path}: schema version ${version} is newer than this code (${SCHEMA_VERSION})`,
    );
  }
}

function inlineCommit(insert: (rows: readonly PredictionRecord[]) => void) {
  return (rows: readonly PredictionRecord[]) => {
    try {
      insert(rows);
    } catch (err) {
      throw new StoreWriteError(err);
    }
  };
}

/** Opens the store at `path` (`:memory:` for a throw-away database). */
export function openStore(path: string, options: StoreOptions = {}): Store {
  const db = openDatabase(path, {
    synchronous: options.synchronous,
    busyTimeoutMs: options.busyTimeoutMs,
    readOnly: options.readOnly,
    pragmas: options.pragmas,
  });
  if (options.readOnly) assertReadableSchema(db, path);
  // Commits run inline, on the request thread between event-loop turns: the
  // lowest latency per request. A writer thread (LOG_WRITER=worker, removed)
  // measured slower at every concurrency but large batches (README history).
  const commit = inlineCommit(createPredictionInserter(db));
  // A full disk passes the one-row probe (it rewrites a page that exists), so
  // a commit that failed for lack of space keeps the store unready for a while.
  let fullSince: number | undefined;
  const holdMs = options.fullDiskHoldMs ?? 5000;
  const writer = createGroupCommitWriter<PredictionRecord>(commit, {
    maxRows: options.maxBatchRows,
    maxDelayMs: options.flushDelayMs,
    onCommit(rows, ms) {
      fullSince = undefined;
      options.onCommit?.(rows, ms);
    },
    onFailure(rows, error) {
      if (FULL_OR_IO_ERROR.test(String((error as Error)?.message))) fullSince = performance.now();
      options.onFailure?.(rows, error);
    },
  });
  const probe = db.prepare("INSERT OR REPLACE INTO health_probe (id, ts_utc) VALUES (1, ?)");
  const counter = db.prepare("SELECT COUNT(*) AS n FROM predictions");

  return {
    path,
    db,
    append: (rows) => writer.append(rows),
    get queueDepth() {
      return writer.depth;
    },
    checkWritable() {
      if (fullSince !== undefined && performance.now() - fullSince < holdMs) return false;
      try {
        inTransaction(db, () => probe.run(new Date().toISOString()));
        return true;
      } catch {
        return false;
      }
    },
    iterate: (query) => iteratePredictions(db, query),
    findByRequestId: (requestId) => findByRequestId(db, requestId),
    count: () => (counter.get() as { n: number }).n,
    async close() {
      await writer.drain();
      db.close();
    },
  };
}
