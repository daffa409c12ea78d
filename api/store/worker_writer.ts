/**
 * Main-thread side of the writer worker: `commit(rows)` resolves when the
 * worker has committed them, rejects when the transaction failed.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { OpenDatabaseOptions } from "./database.ts";
import type { PredictionRecord } from "./prediction_log.ts";
import type { WriterReply, WriterRequest } from "./writer_protocol.ts";

/** A writer running on its own thread. */
export interface WorkerWriter {
  commit(rows: readonly PredictionRecord[]): Promise<void>;
  /** Waits for pending commits, closes the connection and ends the thread. */
  close(): Promise<void>;
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/** Starts the writer thread on the database at `path` (already migrated by the caller). */
export function startWorkerWriter(path: string, options: OpenDatabaseOptions): WorkerWriter {
  const worker = new Worker(new URL("./writer_worker.ts", import.meta.url));
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let fatal: Error | undefined;
  let closed: (() => void) | undefined;

  const send = (msg: WriterRequest) => worker.postMessage(msg);
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  worker.on("message", (msg: WriterReply) => {
    if (msg.type === "committed" || msg.type === "failed") {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.type === "committed") p?.resolve();
      else p?.reject(new Error(msg.message));
    } else if (msg.type === "open_failed") {
      fatal = new Error(`writer cannot open ${path}: ${msg.message}`);
    } else if (msg.type === "closed") {
      closed?.();
    }
  });
  worker.on("error", (err: Error) => {
    fatal = new Error(`writer thread crashed: ${err.message}`);
    failAll(fatal);
    closed?.();
  });

  send({ type: "open", path, options });

  return {
    commit(rows) {
      if (fatal) return Promise.reject(fatal);
      const id = nextId++;
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send({ type: "commit", id, rows });
      });
    },
    close() {
      if (fatal) return worker.terminate().then(() => {});
      return new Promise<void>((resolve) => {
        closed = () => void worker.terminate().then(() => resolve());
        send({ type: "close" });
      });
    },
  };
}
