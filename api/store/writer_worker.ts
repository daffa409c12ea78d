/**
 * The audit-log writer thread: owns the write connection and commits each
 * batch it receives in one transaction. With `synchronous=FULL` a commit waits
 * for fsync; doing it here keeps the request thread serving while the disk
 * works, and lets the next group grow meanwhile.
 *
 * It is a `node:worker_threads` worker, not a web Worker: once onnxruntime-web
 * (Node build) is loaded, Deno starts later web workers in Node mode, where
 * `self` and web `postMessage` do not reach the parent.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { parentPort } from "node:worker_threads";
import { openDatabase } from "./database.ts";
import { createPredictionInserter, type PredictionRecord } from "./prediction_log.ts";
import { unpackRows, type WriterReply, type WriterRequest } from "./writer_protocol.ts";

let db: DatabaseSync | undefined;
let insert: ((rows: readonly PredictionRecord[]) => void) | undefined;
let openError = "the writer connection is not open";

if (!parentPort) throw new Error("writer_worker.ts must run as a worker thread");
const port = parentPort;
const reply = (message: WriterReply) => port.postMessage(message);

port.on("message", (msg: WriterRequest) => {
  switch (msg.type) {
    case "open":
      try {
        db = openDatabase(msg.path, msg.options);
        insert = createPredictionInserter(db);
      } catch (err) {
        openError = (err as Error).message;
        reply({ type: "open_failed", message: openError });
      }
      return;
    case "commit":
      if (!insert) return reply({ type: "failed", id: msg.id, message: openError });
      try {
        insert(unpackRows(msg.cells));
        reply({ type: "committed", id: msg.id });
      } catch (err) {
        reply({ type: "failed", id: msg.id, message: (err as Error).message });
      }
      return;
    case "close":
      db?.close();
      db = undefined;
      insert = undefined;
      reply({ type: "closed" });
      return;
  }
});
