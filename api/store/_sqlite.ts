/**
 * The SQLite backend (`node:sqlite`, embedded in Deno): the default, one
 * process, zero configuration. One connection per store, in WAL mode with the
 * durability the service promises; the audit log is written by a synchronous
 * group commit at the end of each event-loop turn (no answer before its
 * fsync), and every other query goes through the backend-neutral executor.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { createGroupCommitWriter, type GroupCommitEvents } from "./_group_commit.ts";
import { type EraseHooks, eraseOps } from "./_erase.ts";
import { storeQueries } from "./_queries.ts";
import {
  type EntryResult,
  type LogEntry,
  PREDICTION_COLUMNS,
  type PredictionRecord,
} from "./_records.ts";
import { aggregateMinutes, rollupParams, rollupUpsertSql } from "./_rollups.ts";
import { placeholders, type Sql, SQLITE, type SqlValue } from "./_sql.ts";
import { migrate, SCHEMA_VERSION, schemaVersion } from "./_sqlite_schema.ts";
import { StoreWriteError } from "./_errors.ts";
import type { Store } from "./_contract.ts";

/**
 * `FULL`: every commit waits for the WAL to reach the disk, so an acknowledged
 * prediction survives a power cut. `NORMAL`: survives a process crash, may lose
 * the last commits on power loss. Group commit makes `FULL` affordable.
 */
export type Synchronous = "FULL" | "NORMAL";

/** Options of a SQLite store. */
export interface SqliteOptions extends GroupCommitEvents {
  synchronous?: Synchronous;
  /**
   * How long a statement waits for a lock held by another process before
   * failing. Short on purpose: commits run on the request thread, and a
   * failed write answers 503 instead of stalling every request. Default 100.
   */
  busyTimeoutMs?: number;
  /** Group commit: commit when this many rows are queued. */
  maxBatchRows?: number;
  /** Group commit: commit at the latest this long after the first queued row. */
  flushDelayMs?: number;
  /**
   * Open for reading only (monitoring tasks): no migration, no writes (append
   * and checkWritable fail). The database must already hold a schema this
   * code knows.
   */
  readOnly?: boolean;
  /**
   * Test/ops hook: extra `PRAGMA` statements (without the keyword, e.g.
   * `"max_page_count = 64"`, `"query_only = ON"`) run on the connection after
   * it is configured and migrated, to emulate a full disk or a read-only
   * database. Trusted input only: the text is executed as SQL.
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

/** Opens (creating its directory if needed), configures and migrates a database. */
export function openDatabase(path: string, options: SqliteOptions = {}): DatabaseSync {
  if (path !== ":memory:" && !options.readOnly) mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { readOnly: options.readOnly ?? false });
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 100)}`);
  if (options.readOnly) {
    assertReadableSchema(db, path);
  } else {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${options.synchronous ?? "FULL"}`);
    // Every page and cell this connection frees is zeroed, not only those of erasures: a
    // b-tree split moves cells (e.g. request ids of the unique index) and would otherwise
    // leave copies in free space that a later erasure cannot reach. Measured with
    // `deno task secure-delete-cost` (the store's group commit, 8 × 100,000 rows per setting):
    // on/off 0.94, 1.03 and 1.07 in three runs on a shared machine, no cost above the noise.
    db.exec("PRAGMA secure_delete = ON");
    migrate(db);
  }
  for (const pragma of options.pragmas ?? []) db.exec(`PRAGMA ${pragma}`);
  return db;
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

/**
 * Runs `work` inside `BEGIN IMMEDIATE … COMMIT` (the write lock taken at the
 * start, so a busy database fails fast instead of mid-transaction) and
 * returns its result; on any error rolls back and rethrows.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const out = work();
    db.exec("COMMIT");
    return out;
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw err;
  }
}

/** Prepared statements are reused by text; the cache is bounded (texts vary with list sizes). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The executor over one connection. Its calls run synchronously underneath
 * and resolve at once; transactions are serialised (one connection holds one
 * transaction at a time), and since their work awaits only this executor, a
 * transaction opens and closes within one event-loop turn.
 */
export function sqliteExecutor(db: DatabaseSync): Sql {
  const cache = new Map<string, StatementSync>();
  const prepare = (text: string) => {
    let stmt = cache.get(text);
    if (!stmt) {
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      stmt = db.prepare(text);
      cache.set(text, stmt);
    }
    return stmt;
  };
  const args = (params: readonly SqlValue[] = []) => params as SqlValue[];
  let queue: Promise<unknown> = Promise.resolve();
  const sql: Sql = {
    dialect: SQLITE,
    all: <T>(text: string, params?: readonly SqlValue[]) =>
      Promise.resolve(prepare(text).all(...args(params)) as T[]),
    get: <T>(text: string, params?: readonly SqlValue[]) =>
      Promise.resolve(prepare(text).get(...args(params)) as T | undefined),
    run: (text, params) => Promise.resolve(Number(prepare(text).run(...args(params)).changes)),
    transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
      const run = async () => {
        db.exec("BEGIN IMMEDIATE");
        try {
          const out = await work(sql);
          db.exec("COMMIT");
          return out;
        } catch (err) {
          if (db.isTransaction) db.exec("ROLLBACK");
          throw err;
        }
      };
      const next = queue.then(run, run);
      queue = next.catch(() => {});
      return next;
    },
    async *pages<T>(text: string, params: readonly SqlValue[], pageRows: number) {
      // A statement of its own (not the cache): the cursor stays open between pages.
      const cursor = db.prepare(text).iterate(...args(params)) as IterableIterator<T>;
      let page: T[] = [];
      for (const row of cursor) {
        page.push(row);
        if (page.length >= pageRows) {
          yield page;
          page = [];
        }
      }
      if (page.length) yield page;
    },
  };
  return sql;
}

/**
 * The synchronous commit of a group of log entries, in one transaction: an
 * entry whose request id its client already used (logged before, or earlier
 * in this group) is refused whole; the others' rows, their shadow scores and
 * the minute rollup are written. Synchronous on purpose: it runs between
 * event-loop turns and holds the write lock only for its own statements.
 *
 * Rows are inserted with `ON CONFLICT DO NOTHING` on the unique
 * (request_id, client_id) index: no change means a duplicate, without a
 * look-up first (measured: the look-up was 2.5% of the service's time under
 * load, `deno task bench profile`; for a batch, see {@link insertRows}).
 */
function logCommitter(db: DatabaseSync): (entries: readonly LogEntry[]) => EntryResult[] {
  const insert = db.prepare(
    `INSERT INTO predictions (${PREDICTION_COLUMNS.join(", ")})
     VALUES (${placeholders(PREDICTION_COLUMNS.length)})
     ON CONFLICT (request_id, client_id) DO NOTHING`,
  );
  const insertShadow = db.prepare(
    `INSERT INTO shadow_predictions (prediction_id, model_version, proba_default, threshold,
       decision, reasons_json) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const upsertRollup = db.prepare(rollupUpsertSql(SQLITE));
  const params = (r: PredictionRecord) =>
    [
      r.ts_utc,
      r.client_id,
      r.request_id,
      r.model_version,
      r.proba_default,
      r.threshold,
      r.decision,
      r.latency_ms,
      r.input_json,
      r.reasons_json ?? null,
    ] as const;

  /**
   * The rows' ids, or null (nothing written) when one of their request ids is
   * taken: logged before, earlier in this transaction, or twice in `rows`.
   * Every row is inserted with `ON CONFLICT DO NOTHING`: no change means a
   * taken id. A batch is all or none: its rows go in under a savepoint,
   * rolled back at its first taken id.
   */
  function insertRows(rows: readonly PredictionRecord[]): number[] | null {
    if (rows.length === 1) {
      const { changes, lastInsertRowid } = insert.run(...params(rows[0]));
      return changes === 0 ? null : [Number(lastInsertRowid)];
    }
    db.exec("SAVEPOINT entry");
    const ids: number[] = [];
    for (const r of rows) {
      const { changes, lastInsertRowid } = insert.run(...params(r));
      if (changes === 0) {
        db.exec("ROLLBACK TO entry; RELEASE entry");
        return null;
      }
      ids.push(Number(lastInsertRowid));
    }
    db.exec("RELEASE entry");
    return ids;
  }

  return (entries) => {
    if (db.isTransaction) {
      throw new Error("a store transaction is open across an event-loop turn (a bug)");
    }
    return inTransaction(db, () => {
      const logged: PredictionRecord[] = [];
      const ids: number[] = [];
      const results = entries.map((entry): EntryResult => {
        const entryIds = insertRows(entry.rows);
        if (entryIds === null) return "duplicate";
        logged.push(...entry.rows);
        ids.push(...entryIds);
        for (const s of entry.shadows ?? []) {
          insertShadow.run(
            entryIds[s.row],
            s.model_version,
            s.proba_default,
            s.threshold,
            s.decision,
            s.reasons_json ?? null,
          );
        }
        return "logged";
      });
      for (const d of aggregateMinutes(logged, ids)) upsertRollup.run(...rollupParams(d));
      return results;
    });
  };
}

/** Opens the SQLite store at `path` (`:memory:` for a throw-away database). */
export function openSqliteStore(path: string, options: SqliteOptions = {}): Store {
  const db = openDatabase(path, options);
  const sql = sqliteExecutor(db);
  const commit = logCommitter(db);
  // A full disk passes the one-row probe (it rewrites a page that exists), so
  // a commit that failed for lack of space keeps the store unready for a while.
  let fullSince: number | undefined;
  const holdMs = options.fullDiskHoldMs ?? 5000;
  const writer = createGroupCommitWriter<LogEntry, EntryResult>((entries) => {
    try {
      return commit(entries);
    } catch (err) {
      throw new StoreWriteError(err);
    }
  }, {
    rowsOf: (entry) => entry.rows.length,
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
  const hooks: EraseHooks = {
    async secureTransaction(work) {
      const before = (db.prepare("PRAGMA secure_delete").get() as { secure_delete: number })
        .secure_delete;
      db.exec("PRAGMA secure_delete = ON");
      try {
        return await sql.transaction(work);
      } finally {
        db.exec(`PRAGMA secure_delete = ${before ? "ON" : "OFF"}`);
      }
    },
    scrub() {
      // Copies the WAL into the database and truncates it, so old copies of
      // deleted rows leave the disk; a reader holding an old snapshot makes
      // it partial (false). One attempt that never waits (busy_timeout 0):
      // it runs on the request thread, and the erase code retries.
      const timeout = (db.prepare("PRAGMA busy_timeout").get() as { timeout: number }).timeout;
      db.exec("PRAGMA busy_timeout = 0");
      try {
        const row = db.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as
          | { busy: number }
          | undefined;
        return Promise.resolve(row === undefined || row.busy === 0);
      } catch {
        return Promise.resolve(false);
      } finally {
        db.exec(`PRAGMA busy_timeout = ${Math.trunc(Number(timeout))}`);
      }
    },
  };
  const probe = db.prepare("INSERT OR REPLACE INTO health_probe (id, ts_utc) VALUES (1, ?)");

  return {
    backend: "sqlite",
    target: path,
    location: path,
    append: (entry) => writer.append(entry),
    get queueDepth() {
      return writer.depth;
    },
    checkWritable() {
      if (fullSince !== undefined && performance.now() - fullSince < holdMs) {
        return Promise.resolve(false);
      }
      try {
        inTransaction(db, () => probe.run(new Date().toISOString()));
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false);
      }
    },
    ...storeQueries(sql),
    erase: eraseOps(hooks),
    async close() {
      await writer.drain();
      if (db.isOpen) db.close();
    },
  };
}
