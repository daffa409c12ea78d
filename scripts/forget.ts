/**
 * `deno task forget --request-id ID [--db PATH] [--whole-batch] [--wait SECONDS]`:
 * deletes one applicant's rows from the audit log (right to erasure), then
 * scrubs the database so no copy of them stays on disk, and prints how many
 * rows were deleted. Safe while the service runs: one short transaction,
 * waiting up to 5 s for the writer's lock.
 *
 * - `ID` is the request id the API returned: a `/predict` request id, or one
 *   batch item `<X-Request-Id>:<row>`.
 * - `--whole-batch`: `ID` is a batch's X-Request-Id; delete every item of it.
 * - `--db`: a SQLite file or a `postgres://` URL; default `DATABASE_URL`, else
 *   `DB_PATH`, else the service default (data/predictions.sqlite). On
 *   PostgreSQL the scrub after the delete is a `VACUUM` (see `POSTGRES_SCRUB`
 *   in api/store for what it leaves on disk).
 * - `--wait`: how long to retry the scrub while another connection holds an
 *   old read snapshot (a long drift run, a backup), default 10 s.
 *
 * The scrub (a WAL checkpoint that truncates the WAL) cannot finish while
 * such a reader is open: the rows are then deleted from the tables but old
 * copies of their values remain in the WAL and database files. forget says so
 * and exits 2; running it again once the reader is gone finishes the scrub
 * (it scrubs even when nothing is left to delete).
 *
 * Exit codes: 0 done (even if nothing matched), 1 bad usage or unreadable
 * database, 2 deleted but not yet scrubbed (run it again later).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { describeTarget, isPostgresTarget, openStore, type Store } from "../api/store/mod.ts";
import { defaultStoreTarget } from "../api/store/location.ts";
import { parseFlags } from "./lib/flags.ts";

const USAGE =
  "usage: deno task forget --request-id ID [--db PATH|URL] [--whole-batch] [--wait SECONDS]";

/** Exit code when the rows are deleted but old copies could not be scrubbed yet. */
export const EXIT_NOT_SCRUBBED = 2;

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
export async function runForget(
  args: readonly string[],
  io: ForgetIo = defaultIo,
): Promise<number> {
  let values;
  try {
    values = parseFlags(args, {
      "request-id": { type: "string" },
      db: { type: "string" },
      "whole-batch": { type: "boolean", default: false },
      wait: { type: "string", default: "10" },
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
  const waitSeconds = Number(values.wait);
  if (!/^\d+(\.\d+)?$/.test(values.wait.trim()) || !(waitSeconds <= 3600)) {
    io.error(`forget: --wait takes a number of seconds between 0 and 3600\n${USAGE}`);
    return 1;
  }
  const target = values.db ?? defaultStoreTarget(io.getEnv);
  const path = describeTarget(target);
  if (!isPostgresTarget(target) && !existsSync(target)) {
    io.error(`forget: no audit database at ${path} (pass --db, or set DATABASE_URL or DB_PATH)`);
    return 1;
  }
  let store: Store;
  try {
    store = await openStore(target, { busyTimeoutMs: 5000, poolSize: 1 });
  } catch (err) {
    io.error(`forget: cannot open ${path}: ${(err as Error).message}`);
    return 1;
  }
  try {
    const result = await store.erase.byRequestId(requestId, {
      wholeBatch: values["whole-batch"],
      scrubWaitMs: waitSeconds * 1000,
    });
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
    if (!result.scrubbed) {
      io.error(
        `forget: WARNING: the rows are deleted from the tables, but copies of deleted values ` +
          `remain on disk (${
            store.backend === "sqlite" ? `${path}-wal and ${path}` : store.location
          }): another connection has held an old read snapshot for ${waitSeconds} s (a long ` +
          "drift run, a backup?). Run this command again once it has finished: it completes " +
          "the scrub.",
      );
      return EXIT_NOT_SCRUBBED;
    }
    return 0;
  } catch (err) {
    io.error(`forget: ${(err as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}

if (import.meta.main) Deno.exit(await runForget(Deno.args));
