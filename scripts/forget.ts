/**
 * `deno task forget --request-id ID [--db PATH] [--whole-batch]`: deletes one
 * applicant's rows from the audit log (right to erasure) and prints how many
 * were deleted. Safe while the service runs: one short transaction, waiting
 * up to 5 s for the writer's lock.
 *
 * - `ID` is the request id the API returned: a `/predict` request id, or one
 *   batch item `<X-Request-Id>:<row>`.
 * - `--whole-batch`: `ID` is a batch's X-Request-Id; delete every item of it.
 * - `--db`: default `DB_PATH`, else the service default (data/predictions.sqlite).
 *
 * Exit codes: 0 done (even if nothing matched), 1 bad usage or unreadable database.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { CONFIG } from "../api/config.ts";
import { openDatabase } from "../api/store/database.ts";
import { deleteByRequestId } from "../api/store/retention.ts";
import { parseFlags } from "./lib/flags.ts";

const USAGE = "usage: deno task forget --request-id ID [--db PATH] [--whole-batch]";

/** Where the script writes and which environment it reads (tests pass their own). */
export interface ForgetIo {
  getEnv(name: string): string | undefined;
  log(line: string): void;
  error(line: string): void;
}

const defaultIo: ForgetIo = {
  getEnv: (name) => Deno.env.get(name),
  log: (line) => console.log(line),
  error: (line) => console.error(line),
};

/** Runs the command on `args`; returns the exit code. */
export function runForget(args: readonly string[], io: ForgetIo = defaultIo): number {
  let values;
  try {
    values = parseFlags(args, {
      "request-id": { type: "string" },
      db: { type: "string" },
      "whole-batch": { type: "boolean", default: false },
    });
  } catch (err) {
    io.error(`forget: ${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  const requestId = values["request-id"]?.trim();
  if (!requestId) {
    io.error(`forget: --request-id is required\n${USAGE}`);
    return 1;
  }
  const path = values.db ?? io.getEnv("DB_PATH") ?? CONFIG.DB_PATH.default;
  if (!existsSync(path)) {
    io.error(`forget: no audit database at ${path} (pass --db or set DB_PATH)`);
    return 1;
  }
  let db;
  try {
    db = openDatabase(path, { busyTimeoutMs: 5000 });
  } catch (err) {
    io.error(`forget: cannot open ${path}: ${(err as Error).message}`);
    return 1;
  }
  try {
    const result = deleteByRequestId(db, requestId, { wholeBatch: values["whole-batch"] });
    const related = Object.entries(result.related).map(([table, n]) => `${table}: ${n}`);
    io.log(
      `forget: deleted ${result.predictions} prediction row(s) for request id ${requestId}` +
        (related.length ? ` (and ${related.join(", ")})` : "") + ` from ${path}`,
    );
    if (result.batchItemsKept > 0) {
      io.log(
        `forget: ${result.batchItemsKept} batch item(s) ${requestId}:<row> were kept: ` +
          "pass one item id, or --whole-batch to delete the whole batch",
      );
    }
    return 0;
  } catch (err) {
    io.error(`forget: ${(err as Error).message}`);
    return 1;
  } finally {
    db.close();
  }
}

if (import.meta.main) Deno.exit(runForget(Deno.args));
