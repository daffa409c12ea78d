/**
 * Group commit: the log rows of concurrent requests are committed in one
 * SQLite transaction (one fsync), and each writer's promise settles only once
 * the transaction holding its rows has committed — or failed, in which case
 * every writer of that group is rejected. Built on {@link createMicroBatcher}.
 *
 * @module
 */
import { createMicroBatcher } from "../micro_batcher.ts";

/**
 * Commits one batch of rows in one transaction; throws (or rejects) if it did
 * not commit. A synchronous commit blocks the caller's thread for the fsync;
 * an asynchronous one (a writer thread) lets the next group form meanwhile.
 */
export type CommitBatch<T> = (rows: readonly T[]) => void | Promise<void>;

/** Observations of the writer, for metrics. */
export interface GroupCommitEvents {
  /** A batch committed: its row count and how long the commit took. */
  onCommit?(rows: number, ms: number): void;
  /** A batch failed: every caller in it is rejected with `error`. */
  onFailure?(rows: number, error: unknown): void;
}

/** Options for {@link createGroupCommitWriter}. */
export interface GroupCommitOptions extends GroupCommitEvents {
  /** Commit as soon as this many rows are queued (1 = a commit per call). Default 512. */
  maxRows?: number;
  /** Longest wait after the first queued row; 0 = end of the event-loop turn. Default 0. */
  maxDelayMs?: number;
}

/** The writer: `append` resolves once the rows are durable. */
export interface GroupCommitWriter<T> {
  append(rows: readonly T[]): Promise<void>;
  /** Rows waiting for the next commit. */
  readonly depth: number;
  /** Commits whatever is queued now (synchronously for a synchronous commit). */
  flush(): void;
  /** Resolves once every row appended so far is committed (or failed). */
  drain(): Promise<void>;
}

/** Creates a writer that batches rows into `commit` calls. */
export function createGroupCommitWriter<T>(
  commit: CommitBatch<T>,
  options: GroupCommitOptions = {},
): GroupCommitWriter<T> {
  const batcher = createMicroBatcher<T, undefined>((rows) => {
    const done = commit(rows);
    const results = new Array<undefined>(rows.length);
    return done instanceof Promise ? done.then(() => results) : results;
  }, {
    maxItems: options.maxRows,
    maxDelayMs: options.maxDelayMs,
    onBatch: options.onCommit,
    onFailure: options.onFailure,
  });
  return {
    append: async (rows) => {
      await batcher.submit(rows);
    },
    get depth() {
      return batcher.depth;
    },
    flush: () => batcher.flush(),
    drain: () => batcher.drain(),
  };
}
