/**
 * A bench suite's throw-away audit log: a fresh schema of a PostgreSQL
 * server when one is given (`--pg`), else a SQLite file in a temp
 * directory, which the suite may use for its other files too. Disposing of
 * it removes both.
 *
 * @module
 */
import { join } from "node:path";
import { createSchema } from "./pg_schema.ts";

/** Where the log lives, and its clean-up (`await using`). */
export interface ScratchLog extends AsyncDisposable {
  /** A temp directory of the suite's own. */
  dir: string;
  /** The log's `DB_PATH` or `DATABASE_URL`. */
  url: string;
  backend: "sqlite" | "postgres";
}

/** Creates the log of `suite` (a name for the directory and the schema) on `pg`, or SQLite. */
export async function scratchLog(suite: string, pg: string | undefined): Promise<ScratchLog> {
  const dir = await Deno.makeTempDir({ prefix: `scorewatch_bench_${suite}_` });
  let schema: Awaited<ReturnType<typeof createSchema>> | null;
  try {
    schema = pg === undefined ? null : await createSchema(pg, `bench_${suite}`);
  } catch (err) {
    await Deno.remove(dir, { recursive: true });
    throw err;
  }
  return {
    dir,
    url: schema?.url ?? join(dir, "predictions.sqlite"),
    backend: schema ? "postgres" : "sqlite",
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
      await schema?.drop();
    },
  };
}
