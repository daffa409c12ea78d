/**
 * Group commit: concurrent writers hand their rows to one queue; the queue is
 * committed as one transaction when it is full or after a short delay, and
 * every writer's promise settles only once the transaction holding its rows
 * has committed (or failed). One fsync then serves many requests.
 *
 * Written here because no maintained library batches synchronous SQLite
 * transactions behind per-caller promises.
 *
 * @module
 */

/** Commits one batch of rows in one transaction; throws if it did not commit. */
export type CommitBatch<T> = (rows: readonly T[]) => void;

/** Observations of the writer, for metrics. */
export interface GroupCommitEvents {
  /** A batch committed: its row count and how long the commit took. */
  onCommit?(rows: number, ms: number): void;
  /** A batch failed: every caller in it is rejected with `error`. */
  onFailure?(rows: number, error: unknown): void;
}

/** Options for {@link createGroupCommitWriter}. */
export interface GroupCommitOptions extends GroupCommitEvents {
  /** Flush as soon as this many rows are queued. Default 512. */
  maxRows?: number;
  /** Flush at the latest this long after the first queued row. Default 1 ms. */
  maxDelayMs?: number;
}

/** The writer: `append` resolves once the rows are durable. */
export interface GroupCommitWriter<T> {
  append(rows: readonly T[]): Promise<void>;
  /** Rows waiting for the next commit. */
  readonly depth: number;
  /** Commits whatever is queued now. */
  flush(): void;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** Creates a writer that batches rows into `commit` calls. */
export function createGroupCommitWriter<T>(
  commit: CommitBatch<T>,
  options: GroupCommitOptions = {},
): GroupCommitWriter<T> {
  const maxRows = options.maxRows ?? 512;
  const maxDelayMs = options.maxDelayMs ?? 1;
  let queue: T[] = [];
  let waiters: Waiter[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  function flush(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return;
    const rows = queue;
    const batch = waiters;
    queue = [];
    waiters = [];
    const start = performance.now();
    try {
      commit(rows);
    } catch (error) {
      options.onFailure?.(rows.length, error);
      for (const w of batch) w.reject(error);
      return;
    }
    options.onCommit?.(rows.length, performance.now() - start);
    for (const w of batch) w.resolve();
  }

  return {
    append(rows) {
      if (rows.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        for (const row of rows) queue.push(row);
        waiters.push({ resolve, reject });
        if (queue.length >= maxRows) flush();
        else timer ??= setTimeout(flush, maxDelayMs);
      });
    },
    get depth() {
      return queue.length;
    },
    flush,
  };
}
