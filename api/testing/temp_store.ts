/**
 * Stores on fresh temp databases for tests, and the backend matrix the store
 * suite runs on: {@link storeTest} runs one test against every backend
 * (SQLite on a temp file; PostgreSQL on a fresh schema of the server at
 * `TEST_DATABASE_URL`, dropped at dispose). Dispose a store with
 * `await using`.
 *
 * The PostgreSQL half is part of `deno task test`, not an optional extra:
 * when its server cannot be reached, its tests fail with a message saying
 * how to start one. `TEST_DATABASE_URL=off` turns them off (they show as
 * ignored); CI never sets it.
 *
 * @module
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import type { PredictionRecord, StoredPrediction } from "../store/mod.ts";
import { openStore, type Store, type StoreOptions } from "../store/mod.ts";

/** A temp store, where it lives, and helpers. */
export interface TempStore extends AsyncDisposable {
  store: Store;
  backend: Store["backend"];
  /** The SQLite file (SQLite only). */
  path: string;
  /** The PostgreSQL schema (PostgreSQL only). */
  schema?: string;
  dir: string;
  /** Request ids of the logged rows, oldest first. */
  ids(): Promise<string[]>;
  /** Rows in a table (checks of what the contract does not expose). */
  countRows(table: string): Promise<number>;
}

/** Options for {@link createTempStore}. */
export interface TempStoreOptions extends StoreOptions {
  /** File name inside the temp directory (may include folders). Default `log.sqlite`. */
  file?: string;
}

/** Opens a SQLite store (`synchronous=NORMAL` unless given) in a new temp directory. */
export async function createTempStore(options: TempStoreOptions = {}): Promise<TempStore> {
  const { file = "log.sqlite", ...storeOptions } = options;
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_store_" });
  const path = join(dir, file);
  const store = await openStore(path, { synchronous: "NORMAL", ...storeOptions });
  return {
    store,
    backend: "sqlite",
    path,
    dir,
    ids: async () => (await allRows(store)).map((r) => r.request_id),
    countRows(table) {
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        return Promise.resolve(
          Number((db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n),
        );
      } finally {
        db.close();
      }
    },
    async [Symbol.asyncDispose]() {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * The PostgreSQL server the tests use (trust or password in the URL; the
 * user must be allowed to create schemas): `TEST_DATABASE_URL`, default the
 * local server of the development machine and CI. `off` skips.
 */
export const TEST_DATABASE_URL = Deno.env.get("TEST_DATABASE_URL") ||
  "postgres://postgres@127.0.0.1:5432/test";

/** Why the PostgreSQL tests are off, if they are. */
export const POSTGRES_SKIP = TEST_DATABASE_URL === "off"
  ? "TEST_DATABASE_URL=off: PostgreSQL tests skipped"
  : undefined;

/** A target URL that opens `schema` of the test server (libpq's `options=-c search_path=…`). */
export function schemaUrl(schema: string, base = TEST_DATABASE_URL): string {
  return `${base}${base.includes("?") ? "&" : "?"}options=${
    encodeURIComponent(`-c search_path=${schema}`)
  }`;
}

/**
 * Runs `work` with a one-connection administrator client on the test server
 * (closed afterwards: no socket outlives a test). Explains how to start the
 * server when it cannot be reached.
 */
export async function withAdmin<T>(work: (sql: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    connectionTimeoutMillis: 5000,
  });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new Error(
      `the PostgreSQL tests need a server at ${TEST_DATABASE_URL} (${(err as Error).message}): ` +
        "start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main " +
        "start), point TEST_DATABASE_URL at another one, or set TEST_DATABASE_URL=off to skip " +
        "them (CI runs them)",
      { cause: err },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A dedicated administrator connection of the test server, for holding locks across statements. */
export async function openAdminSession(): Promise<{
  query(text: string, params?: unknown[]): Promise<pg.QueryResult>;
  close(): Promise<void>;
}> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  client.on("error", () => {});
  await client.connect();
  return { query: (text, params) => client.query(text, params), close: () => client.end() };
}

/**
 * The pid of a backend of `applicationName` once it waits for a lock
 * (polls `pg_stat_activity`: a condition, not a sleep).
 */
export async function waitForLockWait(applicationName: string): Promise<number> {
  for (let i = 0; i < 2000; i++) {
    const { rows } = await withAdmin((sql) =>
      sql.query(
        `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [applicationName],
      )
    );
    if (rows.length) return Number(rows[0].pid);
  }
  throw new Error(`no backend of ${applicationName} ever waited for a lock`);
}

/** A fresh, empty schema on the test server: its name, and its drop. */
export async function createTestSchema(): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `scorewatch_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await withAdmin((sql) => sql.query(`CREATE SCHEMA "${schema}"`));
  return {
    schema,
    drop: async () => {
      await withAdmin((sql) => sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
  };
}

/** Opens a PostgreSQL store on a fresh schema of the test server (dropped at dispose). */
export async function createTempPostgresStore(options: StoreOptions = {}): Promise<TempStore> {
  const { schema, drop } = await createTestSchema();
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_store_" });
  let store: Store;
  try {
    store = await openStore(schemaUrl(schema), { poolSize: 4, ...options });
  } catch (err) {
    await drop();
    await Deno.remove(dir, { recursive: true });
    throw err;
  }
  return {
    store,
    backend: "postgres",
    path: "",
    schema,
    dir,
    ids: async () => (await allRows(store)).map((r) => r.request_id),
    countRows: (table) =>
      withAdmin(async (sql) =>
        Number((await sql.query(`SELECT count(*) AS n FROM "${schema}"."${table}"`)).rows[0].n)
      ),
    async [Symbol.asyncDispose]() {
      await store.close();
      await drop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A backend the store suite runs on. */
export interface StoreBackend {
  name: Store["backend"];
  /** Why it is skipped here, if it is (e.g. no server to reach). */
  skip?: string;
  open(options?: StoreOptions): Promise<TempStore>;
}

/** Every backend of the store contract. */
export const STORE_BACKENDS: StoreBackend[] = [
  { name: "sqlite", open: (options) => createTempStore(options) },
  { name: "postgres", skip: POSTGRES_SKIP, open: (options) => createTempPostgresStore(options) },
];

/** Runs `fn` on a fresh temp store of every backend, as one test each. */
export function storeTest(
  name: string,
  fn: (t: TempStore) => Promise<void>,
  options: StoreOptions = {},
): void {
  for (const backend of STORE_BACKENDS) {
    Deno.test({
      name: `${backend.name}: ${name}`,
      ignore: backend.skip !== undefined,
      async fn() {
        await using t = await backend.open(options);
        await fn(t);
      },
    });
  }
}

/** A logged row for store tests: request id and time, the rest fixed unless overridden. */
export function testRecord(
  requestId: string,
  overrides: Partial<PredictionRecord> = {},
): PredictionRecord {
  return {
    ts_utc: "2026-01-01T00:00:00.000Z",
    client_id: "",
    request_id: requestId,
    model_version: "m1",
    proba_default: 0.2,
    threshold: 0.5,
    decision: 0,
    latency_ms: 1,
    input_json: JSON.stringify({ secret: `applicant ${requestId}` }),
    reasons_json: null,
    ...overrides,
  };
}

/** Every logged row of a store, oldest first. */
export async function allRows(store: Pick<Store, "predictions">): Promise<StoredPrediction[]> {
  const rows: StoredPrediction[] = [];
  for await (const page of store.predictions.pages()) rows.push(...page);
  return rows;
}
