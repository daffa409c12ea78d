/**
 * `deno task forget --request-id ID [--db PATH] [--whole-batch]`: deletes one
 * applicant's rows from the audit log (right to erasure) and prints how many
 * were deleted. Safe while the service runs: one short transaction, waiting
 * up to 5 s for the writer's lock.
 *
 * - `ID` is the request id the API returned: a `/predict` request id, or one
 *   batch item `<X-Request-Id>:<row>`.
 * - `--whole-batch`: `ID` is a batch's X-Request-Id; delete every item of it.
 * - `--db`: a SQLite file or a `postgres://` URL; default `DATABASE_URL`, else
 *   `DB_PATH`, else the service default (data/predictions.sqlite). On
 *   PostgreSQL the scrub after the delete is a `VACUUM` (see `POSTGRES_SCRUB`
 *   in api/store for what it leaves on disk).
 *
 * Exit codes: 0 done (even if nothing matched), 1 bad usage or unreadable database.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { describeTarget, isPostgresTarget, openStore, type Store } from "../api/store/mod.ts";
import { defaultStoreTarget } from "../api/store/location.ts";

const USAGE = "usage: deno task forget --request-id ID [--db PATH|URL] [--whole-batch]";

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
    ({ values } = parseArgs({
      args: [...args],
      options: {
        "request-id": { type: "string" },
        db: { type: "string" },
        "whole-batch": { type: "boolean", default: false },
      },
      strict: true,
    }));
  } catch (err) {
    io.error(`forget: ${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  const requestId = values["request-id"]?.trim();
  if (!requestId) {
    io.error(`forget: --request-id is required\n${USAGE}`);
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
    const result = await store.erase.byRequestId(requestId, { wholeBatch: values["whole-batch"] });
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
    await store.close();
  }
}

if (import.meta.main) Deno.exit(await runForget(Deno.args));
