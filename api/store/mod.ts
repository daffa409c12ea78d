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
import { startWorkerWriter } from "./worker_writer.ts";
import {
  createPredictionInserter,
  findByRequestId,
  iteratePredictions,
  type PredictionQuery,
  type PredictionRecord,
  type StoredPrediction,
} from "./prediction_log.ts";

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
   * Where commits run. `worker` (default for files): on a writer thread with
   * its own connection, so the fsync of a `FULL` commit never blocks request
   * handling. `inline`: on the caller's thread (`:memory:` databases).
   */
  writer?: "worker" | "inline";
}

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
  /** Commits a one-row probe write: true when the database takes writes now. */
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
  });
  if (options.readOnly) assertReadableSchema(db, path);
  const useWorker = !options.readOnly && path !== ":memory:" && options.writer !== "inline";
  const thread = useWorker
    ? startWorkerWriter(path, {
      synchronous: options.synchronous,
      busyTimeoutMs: options.busyTimeoutMs,
    })
    : undefined;
  const commit = thread
    ? (rows: readonly PredictionRecord[]) =>
      thread.commit(rows).catch((err) => {
        throw new StoreWriteError(err);
      })
    : inlineCommit(createPredictionInserter(db));
  const writer = createGroupCommitWriter<PredictionRecord>(commit, {
    maxRows: options.maxBatchRows,
    maxDelayMs: options.flushDelayMs,
    onCommit: options.onCommit,
    onFailure: options.onFailure,
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
      try {
        db.exec("BEGIN IMMEDIATE");
        probe.run(new Date().toISOString());
        db.exec("COMMIT");
        return true;
      } catch {
        if (db.isTransaction) db.exec("ROLLBACK");
        return false;
      }
    },
    iterate: (query) => iteratePredictions(db, query),
    findByRequestId: (requestId) => findByRequestId(db, requestId),
    count: () => (counter.get() as { n: number }).n,
    async close() {
      await writer.drain();
      await thread?.close();
      db.close();
    },
  };
}
