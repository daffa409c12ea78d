/**
 * Micro-batching: concurrent callers hand items to one queue; the queue is
 * processed as one batch at the end of the current event-loop turn (or when
 * full), and each caller's promise settles with the results of its own items
 * once that batch is done. One batch runs at a time; items arriving meanwhile
 * form the next batch, so batches grow with load and shrink to one item when
 * idle.
 *
 * It serves two hot paths: one ONNX run for the rows of many concurrent
 * requests, and one SQLite transaction (one fsync) for their log rows (group
 * commit). Written here because no maintained library batches work behind
 * per-caller promises this way without a timer on every call.
 *
 * @module
 */
import { clearImmediate, setImmediate } from "node:timers";

/** Processes one batch; returns one result per item, in order, or throws. */
export type ProcessBatch<I, O> = (items: readonly I[]) => readonly O[] | Promise<readonly O[]>;

/** Observations of the batcher, for metrics. */
export interface MicroBatcherEvents {
  /** A batch succeeded: its size (items, or their weight) and how long processing took. */
  onBatch?(size: number, ms: number): void;
  /** A batch failed: every caller in it is rejected with `error`. */
  onFailure?(size: number, error: unknown): void;
}

/** Options for {@link createMicroBatcher}. */
export interface MicroBatcherOptions<I = unknown> extends MicroBatcherEvents {
  /** Process as soon as this many items (or this much weight) are queued. Default 512. */
  maxItems?: number;
  /**
   * The weight of an item (default 1): e.g. the rows of a log entry, so a
   * batch is bounded by rows whatever the entries hold.
   */
  weight?: (item: I) => number;
  /**
   * Longest wait after the first queued item. Default 0: at the end of the
   * current event-loop turn (`setImmediate`), so every request parsed in the
   * same turn joins the batch without waiting for a timer (a 0 ms
   * `setTimeout` costs 1–4 ms in Deno).
   */
  maxDelayMs?: number;
}

/** The batcher. */
export interface MicroBatcher<I, O> {
  /** Queues items; resolves with their results once their batch is processed. */
  submit(items: readonly I[]): Promise<O[]>;
  /** Items (or their weight) waiting for the next batch. */
  readonly depth: number;
  /** Processes what is queued now (synchronously when `process` is synchronous). */
  flush(): void;
  /** Resolves once everything queued so far has been processed. */
  drain(): Promise<void>;
}

interface Waiter<O> {
  count: number;
  resolve(results: O[]): void;
  reject(error: unknown): void;
}

/** Creates a batcher around `process`. */
export function createMicroBatcher<I, O>(
  process: ProcessBatch<I, O>,
  options: MicroBatcherOptions<I> = {},
): MicroBatcher<I, O> {
  const maxItems = options.maxItems ?? 512;
  const maxDelayMs = options.maxDelayMs ?? 0;
  const weigh = options.weight;
  let queue: I[] = [];
  let queued = 0;
  let waiters: Waiter<O>[] = [];
  let scheduled: { cancel(): void } | undefined;
  const running = new Set<Promise<void>>();

  function schedule(): { cancel(): void } {
    if (maxDelayMs === 0) {
      const handle = setImmediate(flush);
      return { cancel: () => clearImmediate(handle) };
    }
    const handle = setTimeout(flush, maxDelayMs);
    return { cancel: () => clearTimeout(handle) };
  }

  function fail(batch: readonly Waiter<O>[], size: number, error: unknown): void {
    options.onFailure?.(size, error);
    for (const w of batch) w.reject(error);
  }

  function settle(
    batch: readonly Waiter<O>[],
    results: readonly O[],
    count: number,
    size: number,
    start: number,
  ) {
    if (results.length !== count) {
      fail(batch, size, new Error(`batch returned ${results.length} results for ${count} items`));
      return;
    }
    options.onBatch?.(size, performance.now() - start);
    let offset = 0;
    for (const w of batch) {
      w.resolve(results.slice(offset, offset + w.count));
      offset += w.count;
    }
  }

  function done(run: Promise<void>): void {
    running.delete(run);
    if (queue.length > 0) scheduled ??= schedule();
  }

  function flush(): void {
    scheduled?.cancel();
    scheduled = undefined;
    if (running.size > 0 || queue.length === 0) return;
    const items = queue;
    const batch = waiters;
    const size = queued;
    queue = [];
    waiters = [];
    queued = 0;
    const start = performance.now();
    let out: readonly O[] | Promise<readonly O[]>;
    try {
      out = process(items);
    } catch (error) {
      fail(batch, size, error);
      return;
    }
    if (!(out instanceof Promise)) {
      settle(batch, out, items.length, size, start);
      return;
    }
    const run = out.then(
      (results) => settle(batch, results, items.length, size, start),
      (error) => fail(batch, size, error),
    ).finally(() => done(run));
    running.add(run);
  }

  return {
    submit(items) {
      if (items.length === 0) return Promise.resolve([]);
      return new Promise<O[]>((resolve, reject) => {
        for (const item of items) {
          queue.push(item);
          queued += weigh ? weigh(item) : 1;
        }
        waiters.push({ count: items.length, resolve, reject });
        if (queued >= maxItems) flush();
        else scheduled ??= schedule();
      });
    },
    get depth() {
      return queued;
    },
    flush,
    async drain() {
      for (;;) {
        flush();
        if (running.size === 0) return;
        await Promise.all(running);
      }
    },
  };
}
