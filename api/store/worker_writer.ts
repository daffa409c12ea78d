/**
 * Main-thread side of the writer worker: `commit(rows)` resolves when the
 * worker has committed them, rejects when the transaction failed.
 *
 * If the thread dies (uncaught error, termination, a connection it cannot
 * open), every commit it still owed is rejected at once — never left hanging —
 * and the next commit after `restartDelayMs` starts a fresh thread, so the
 * store recovers by itself. Commits in between fail fast.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { OpenDatabaseOptions } from "./database.ts";
import type { PredictionRecord } from "./prediction_log.ts";
import { packRows, type WriterReply, type WriterRequest } from "./writer_protocol.ts";

/** A writer running on its own thread. */
export interface WorkerWriter {
  commit(rows: readonly PredictionRecord[]): Promise<void>;
  /**
   * False while the thread is down and the restart delay has not passed yet
   * (commits fail fast meanwhile); true otherwise.
   */
  readonly healthy: boolean;
  /** Waits for pending commits, closes the connection and ends the thread. */
  close(): Promise<void>;
}

/** Options for {@link startWorkerWriter}: the writer connection's settings, plus: */
export interface WorkerWriterOptions extends OpenDatabaseOptions {
  /** How long after a thread died before the next commit starts a new one. Default 1000 ms. */
  restartDelayMs?: number;
  /** Test/ops hook: called with every thread started (fault tests terminate it). */
  onThread?(worker: Worker): void;
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  dead: boolean;
  /** Set by `close()`: called once the thread closed its connection (or died). */
  onClosed?: () => void;
}

/** Starts the writer thread on the database at `path` (already migrated by the caller). */
export function startWorkerWriter(path: string, options: WorkerWriterOptions = {}): WorkerWriter {
  const { restartDelayMs = 1000, onThread, ...database } = options;
  let nextId = 1;
  let lastDeath: { error: Error; at: number } | undefined;
  let closing: Promise<void> | undefined;

  const inBackoff = () =>
    lastDeath !== undefined && performance.now() - lastDeath.at < restartDelayMs;

  function die(t: Thread, error: Error): void {
    if (t.dead) return;
    t.dead = true;
    for (const p of t.pending.values()) p.reject(error);
    t.pending.clear();
    if (thread === t) thread = undefined;
    if (!closing) lastDeath = { error, at: performance.now() };
    t.onClosed?.();
    void t.worker.terminate();
  }

  function spawn(): Thread {
    const worker = new Worker(new URL("./writer_worker.ts", import.meta.url));
    const t: Thread = { worker, pending: new Map(), dead: false };
    worker.on("message", (msg: WriterReply) => {
      if (msg.type === "committed" || msg.type === "failed") {
        const p = t.pending.get(msg.id);
        t.pending.delete(msg.id);
        if (msg.type === "committed") p?.resolve();
        else p?.reject(new Error(msg.message));
      } else if (msg.type === "open_failed") {
        die(t, new Error(`writer cannot open ${path}: ${msg.message}`));
      } else if (msg.type === "closed") {
        t.onClosed?.();
      }
    });
    worker.on("error", (err: Error) => die(t, new Error(`writer thread crashed: ${err.message}`)));
    worker.on("exit", (code: number) => die(t, new Error(`writer thread exited (code ${code})`)));
    const open: WriterRequest = { type: "open", path, options: database };
    worker.postMessage(open);
    onThread?.(worker);
    return t;
  }

  let thread: Thread | undefined = spawn();

  return {
    commit(rows) {
      if (closing) return Promise.reject(new Error("the audit log writer is closed"));
      if (!thread) {
        if (inBackoff()) return Promise.reject(lastDeath!.error);
        thread = spawn();
      }
      const t = thread;
      const id = nextId++;
      return new Promise<void>((resolve, reject) => {
        t.pending.set(id, { resolve, reject });
        const msg: WriterRequest = { type: "commit", id, cells: packRows(rows) };
        t.worker.postMessage(msg);
      });
    },
    get healthy() {
      return thread !== undefined || !inBackoff();
    },
    close() {
      closing ??= (async () => {
        const t = thread;
        if (!t) return;
        await new Promise<void>((resolve) => {
          t.onClosed = resolve;
          const msg: WriterRequest = { type: "close" };
          t.worker.postMessage(msg);
        });
        await t.worker.terminate();
      })();
      return closing;
    },
  };
}
