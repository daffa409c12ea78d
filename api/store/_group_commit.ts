/**
 * Group commit: the log entries of concurrent requests are committed in one
 * transaction (one fsync), and each writer's promise settles only once the
 * transaction holding its entry has committed — with what became of the
 * entry — or failed, in which case every writer of that group is rejected.
 * Built on {@link createMicroBatcher}; a group is bounded by rows, whatever
 * the entries hold.
 *
 * @module
 */
import { createMicroBatcher } from "../micro_batcher.ts";

/**
 * Commits one group of entries in one transaction and returns one result
 * per entry; throws (or rejects) if it did not commit. A synchronous commit
 * blocks the caller's thread for the fsync; an asynchronous one (a network
 * database) lets the next group form meanwhile.
 */
export type CommitGroup<E, R> = (entries: readonly E[]) => readonly R[] | Promise<readonly R[]>;

/** Observations of the writer, for metrics. */
export interface GroupCommitEvents {
  /** A group committed: its row count and how long the commit took. */
  onCommit?(rows: number, ms: number): void;
  /** A group failed: every caller in it is rejected with `error`. */
  onFailure?(rows: number, error: unknown): void;
}

/** Options for {@link createGroupCommitWriter}. */
export interface GroupCommitOptions<E> extends GroupCommitEvents {
  /** Rows of an entry (the group's bound counts rows). */
  rowsOf(entry: E): number;
  /** Commit as soon as this many rows are queued (1 = a commit per entry). Default 512. */
  maxRows?: number;
  /** Longest wait after the first queued entry; 0 = end of the event-loop turn. Default 0. */
  maxDelayMs?: number;
}

/** The writer: `append` resolves once the entry is durable (or was refused by the commit). */
export interface GroupCommitWriter<E, R> {
  append(entry: E): Promise<R>;
  /** Rows waiting for the next commit. */
  readonly depth: number;
  /** Commits whatever is queued now (synchronously for a synchronous commit). */
  flush(): void;
  /** Resolves once every entry appended so far is committed (or failed). */
  drain(): Promise<void>;
}

/** Creates a writer that batches entries into `commit` calls. */
export function createGroupCommitWriter<E, R>(
  commit: CommitGroup<E, R>,
  options: GroupCommitOptions<E>,
): GroupCommitWriter<E, R> {
  const batcher = createMicroBatcher<E, R>(commit, {
    maxItems: options.maxRows,
    maxDelayMs: options.maxDelayMs,
    weight: options.rowsOf,
    onBatch: options.onCommit,
    onFailure: options.onFailure,
  });
  return {
    append: (entry) => batcher.submit([entry]).then((results) => results[0]),
    get depth() {
      return batcher.depth;
    },
    flush: () => batcher.flush(),
    drain: () => batcher.drain(),
  };
}
