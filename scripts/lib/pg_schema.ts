/**
 * A throw-away schema on a PostgreSQL server for the tools (the bench's
 * PostgreSQL variants): created empty, opened through the URL's libpq
 * `options=-c search_path=…`, dropped afterwards, so a run never writes into
 * the server's shared schemas.
 *
 * @module
 */
import pg from "pg";

/** The server the tools use when none is given. */
export const DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test";

/** A URL of `base` that opens `schema` (libpq's `options=-c search_path=…`). */
export function withSearchPath(base: string, schema: string): string {
  return `${base}${base.includes("?") ? "&" : "?"}options=${
    encodeURIComponent(`-c search_path=${schema}`)
  }`;
}

async function admin(base: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query(text);
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema on `base`: the URL that opens it, and its drop. */
export async function createSchema(
  base: string,
  prefix = "scorewatch_tool",
): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await admin(base, `CREATE SCHEMA "${schema}"`);
  return {
    url: withSearchPath(base, schema),
    drop: () => admin(base, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
  };
}
