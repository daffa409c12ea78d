/**
 * The PostgreSQL backend: one audit log shared by several replicas (and by
 * the worker threads of each, `WORKERS`). Client: `npm:pg` (node-postgres)
 * with `npm:pg-cursor`: maintained, pure JavaScript on Deno's Node layer,
 * a pool, named prepared statements, server-side cursors, TLS. (`npm:postgres`
 * was tried first: its 3.4.9 crashes the process with an uncaught
 * `TypeError` in `nextWrite` when the server closes a connection inside a
 * transaction — porsager/postgres#1208, reproduced here with
 * `pg_terminate_backend` — which is exactly the fault this store must
 * survive.)
 *
 * - **Connection.** `DATABASE_URL` in libpq's URL form,
 *   `postgres[ql]://user:password@host[:port]/database?…`: `sslmode`
 *   (`disable`, `allow`/`prefer` (default, as libpq: TLS when the server
 *   offers it), `require`, `verify-ca`, `verify-full`), `sslrootcert` (a CA
 *   file, or `system`), `sslcert`/`sslkey` (client certificate),
 *   `connect_timeout` (s); every other parameter is a session setting
 *   (`application_name`, `options=-c search_path=audit`, any `name=value`).
 *   One host (give the primary's address, or a proxy that follows it). The
 *   driver reads libpq's `PG*` environment variables where the URL says
 *   nothing (hence `--allow-env=PG*`); the password goes through a function,
 *   so it never falls back to `~/.pgpass`.
 * - **Types.** `int8` and `numeric` come back as JavaScript numbers (counts,
 *   ids and sums stay far below 2^53); text is `COLLATE "C"` (see
 *   `POSTGRES` in `_sql.ts`).
 * - **Group commit.** As on SQLite, the entries of concurrent requests are
 *   committed together, and no request is answered before its commit. A
 *   flush is one transaction: a multi-row `INSERT … SELECT FROM unnest(…)
 *   ON CONFLICT (request_id, client_id) DO NOTHING RETURNING …` (one
 *   prepared statement whatever the row count), the shadow scores in one
 *   more, one upsert per minute × model version of the rollup (in key order,
 *   so replicas lock rollup rows in the same order and cannot deadlock).
 *   An entry whose request id is already logged — also by another replica
 *   racing on the same id: `ON CONFLICT` waits for the other transaction —
 *   is `duplicate`, all or none: the rows of a batch entry that did get in
 *   are deleted again in the same transaction. Unlike SQLite's, this commit
 *   is asynchronous: the next group forms while it runs.
 * - **Faults.** Any failure of the flush (connection refused or lost,
 *   `lock_timeout`, read-only server, a statement slower than
 *   `commitTimeoutMs`) rejects every entry of the group with
 *   `StoreWriteError` (503). A flush whose outcome is unknown (connection
 *   lost during `COMMIT`) may still have committed: those rows are then
 *   logged although the client got 503, as when a process dies mid-request —
 *   never the reverse. A connection that failed is destroyed, not pooled;
 *   the pool reconnects by itself when the server is back.
 * - **Migrations.** `_postgres_schema.ts` (advisory lock; replicas may start
 *   together).
 * - **Erasure.** PostgreSQL has no `secure_delete`: the scrub after a
 *   retention pass or an erasure is a `VACUUM` of `predictions`, `outcomes`
 *   and `shadow_predictions` (their indexes and TOAST tables included). See
 *   {@link POSTGRES_SCRUB} for what remains on disk afterwards.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import pg from "pg";
import PgCursor from "pg-cursor";
import { createGroupCommitWriter, type GroupCommitEvents } from "./_group_commit.ts";
import { type EraseHooks, eraseOps } from "./_erase.ts";
import { storeQueries } from "./_queries.ts";
import {
  type EntryResult,
  type LogEntry,
  PREDICTION_COLUMNS,
  type PredictionRecord,
} from "./_records.ts";
import { aggregateMinutes, rollupParams, rollupUpsertSql } from "./_rollups.ts";
import { numberPlaceholders, POSTGRES, type Sql, type SqlValue } from "./_sql.ts";
import {
  migrate,
  type MigrationConnection,
  SCHEMA_VERSION,
  schemaVersion,
} from "./_postgres_schema.ts";
import { StoreWriteError } from "./_errors.ts";
import type { Store } from "./_contract.ts";

/** Options of a PostgreSQL store. */
export interface PostgresOptions extends GroupCommitEvents {
  /** Connections in this store's pool (opened on demand). Default 10; 2 when read-only. */
  poolSize?: number;
  /** Group commit: commit when this many rows are queued. */
  maxBatchRows?: number;
  /** Group commit: commit at the latest this long after the first queued row. */
  flushDelayMs?: number;
  /** Open for reading only (monitoring tasks): no migration; every transaction is read-only. */
  readOnly?: boolean;
  /**
   * How long a statement waits for a lock (`lock_timeout`) before failing:
   * a write held up by a lock answers 503 instead of stalling. Default 2000.
   */
  lockTimeoutMs?: number;
  /** Giving up on connecting after this long. Default 5000 (the driver's is 30 s). */
  connectTimeoutMs?: number;
  /**
   * A flush not committed after this long fails its group (503) — a network
   * that stops answering without closing the connection. Default 10,000.
   */
  commitTimeoutMs?: number;
  /** `checkWritable` answers false after this long. Default 2000. */
  probeTimeoutMs?: number;
}

/** True for a `postgres://` or `postgresql://` URL. */
export function isPostgresTarget(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** TLS of a connection, as libpq's `sslmode` names it. */
export type SslMode = "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";

/** A parsed connection URL. */
export interface PostgresUrl {
  hosts: string[];
  ports: number[];
  database: string;
  user: string;
  password: string;
  sslMode: SslMode;
  /** CA file (`sslrootcert`); `system` = the system's roots; absent = none given. */
  sslRootCert?: string;
  sslCert?: string;
  sslKey?: string;
  /** Seconds (`connect_timeout`), if given. */
  connectTimeoutS?: number;
  /** Session settings sent at connect (every other query parameter). */
  settings: Record<string, string>;
}

const SSL_MODES: readonly SslMode[] = [
  "disable",
  "allow",
  "prefer",
  "require",
  "verify-ca",
  "verify-full",
];

/** Query parameters that are credentials: never shown. */
const SECRET_PARAMS = new Set(["password", "sslpassword"]);

function hostPort(part: string): { host: string; port: number } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(part);
  if (!m || m[1] === "") throw new Error(`not a host[:port]: ${JSON.stringify(part)}`);
  return { host: decodeURIComponent(m[1].replace(/^\[|\]$/g, "")), port: Number(m[2] ?? 5432) };
}

/** Parses a libpq connection URL (throws on a malformed one, without echoing its password). */
export function parsePostgresUrl(target: string): PostgresUrl {
  const m = /^postgres(?:ql)?:\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/i.exec(target);
  if (!m) throw new Error(`not a postgres:// URL: ${redactPostgresUrl(target)}`);
  const [, authority, path = "", query = ""] = m;
  const at = authority.lastIndexOf("@");
  const userInfo = at < 0 ? "" : authority.slice(0, at);
  const hostList = at < 0 ? authority : authority.slice(at + 1);
  const colon = userInfo.indexOf(":");
  const user = decodeURIComponent(colon < 0 ? userInfo : userInfo.slice(0, colon));
  const password = colon < 0 ? "" : decodeURIComponent(userInfo.slice(colon + 1));
  const endpoints = (hostList === "" ? "127.0.0.1" : hostList).split(",").map(hostPort);
  const params = new URLSearchParams(query);
  const settings: Record<string, string> = {};
  const url: PostgresUrl = {
    hosts: endpoints.map((e) => e.host),
    ports: endpoints.map((e) => e.port),
    database: "",
    user: user || "postgres",
    password,
    sslMode: "prefer",
    settings,
  };
  for (const [key, value] of params) {
    switch (key) {
      case "sslmode":
        if (!SSL_MODES.includes(value as SslMode)) {
          throw new Error(`sslmode=${value}: expected one of ${SSL_MODES.join(", ")}`);
        }
        url.sslMode = value as SslMode;
        break;
      case "sslrootcert":
        url.sslRootCert = value;
        break;
      case "sslcert":
        url.sslCert = value;
        break;
      case "sslkey":
        url.sslKey = value;
        break;
      case "connect_timeout":
        if (!/^\d+$/.test(value)) throw new Error(`connect_timeout=${value}: expected seconds`);
        url.connectTimeoutS = Number(value);
        break;
      case "password":
        url.password = value;
        break;
      case "user":
        url.user = value;
        break;
      case "dbname":
        url.database = value;
        break;
      case "target_session_attrs":
        // The store always asks for the primary (it writes).
        break;
      default:
        settings[key] = value;
    }
  }
  url.database ||= decodeURIComponent(path) || url.user;
  return url;
}

/** The URL without its password (for logs, /health, the site): safe to print. */
export function redactPostgresUrl(target: string): string {
  const m = /^([a-z]+:\/\/)([^/?#]*)(.*)$/i.exec(target);
  if (!m) return "<unparseable database URL>";
  const [, scheme, authority, rest] = m;
  const at = authority.lastIndexOf("@");
  const userInfo = at < 0 ? "" : authority.slice(0, at);
  const user = userInfo.split(":")[0];
  const hosts = at < 0 ? authority : authority.slice(at + 1);
  const q = rest.indexOf("?");
  let tail = rest;
  if (q >= 0) {
    // The query as written, without its credential parameters.
    const kept = rest.slice(q + 1).split("&").filter((pair) => {
      const key = pair.split("=")[0];
      let name = key;
      try {
        name = decodeURIComponent(key);
      } catch {
        // Shown as written.
      }
      return pair !== "" && !SECRET_PARAMS.has(name);
    });
    tail = rest.slice(0, q) + (kept.length ? `?${kept.join("&")}` : "");
  }
  return `${scheme}${user ? `${user}@` : ""}${hosts}${tail}`;
}

/** TLS settings of the driver (`ssl` option) for a parsed URL; reads the certificate files. */
export function tlsOption(
  url: PostgresUrl,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): false | "prefer" | "require" | ConnectionOptions {
  const file = (path: string | undefined, what: string) => {
    if (path === undefined || path === "system") return undefined;
    try {
      return readFile(path);
    } catch (err) {
      throw new Error(`cannot read the ${what} ${path}: ${(err as Error).message}`);
    }
  };
  const client = { cert: file(url.sslCert, "sslcert"), key: file(url.sslKey, "sslkey") };
  const clientTls = Object.fromEntries(Object.entries(client).filter(([, v]) => v !== undefined));
  const ca = file(url.sslRootCert, "sslrootcert");
  // libpq: `require` with a root certificate given behaves as `verify-ca`.
  const mode = url.sslMode === "require" && url.sslRootCert !== undefined
    ? "verify-ca"
    : url.sslMode;
  switch (mode) {
    case "disable":
      return false;
    case "allow":
    case "prefer":
      return Object.keys(clientTls).length ? { rejectUnauthorized: false, ...clientTls } : "prefer";
    case "require":
      return Object.keys(clientTls).length
        ? { rejectUnauthorized: false, ...clientTls }
        : "require";
    case "verify-ca":
      // The chain is checked against the CA; the host name is not (libpq's verify-ca).
      return {
        rejectUnauthorized: true,
        ...(ca === undefined ? {} : { ca }),
        checkServerIdentity: () => undefined,
        ...clientTls,
      };
    case "verify-full":
      return { rejectUnauthorized: true, ...(ca === undefined ? {} : { ca }), ...clientTls };
  }
}

/** Numbers for `int8` (20) and `numeric` (1700): counts, ids and sums are far below 2^53. */
const TYPES = {
  getTypeParser:
    ((oid: number, format?: "text" | "binary") =>
      oid === 20 || oid === 1700
        ? Number
        : pg.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
};

/** A session setting as a `-c name=value` switch of the startup `options` (spaces escaped). */
const settingSwitch = (name: string, value: string) =>
  `-c ${name}=${value.replace(/\\/g, "\\\\").replace(/ /g, "\\ ")}`;

/**
 * libpq's default `sslmode=prefer`, which the driver lacks: asks the server
 * (an `SSLRequest`) whether it speaks TLS, once, at open.
 */
async function serverOffersTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const conn = await withTimeout(
    Deno.connect({ hostname: host, port }),
    timeoutMs,
    `cannot connect to ${host}:${port} within ${timeoutMs} ms`,
  );
  try {
    // Length 8, code 80877103: the SSLRequest message.
    await conn.write(new Uint8Array([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
    const answer = new Uint8Array(1);
    const n = await withTimeout(conn.read(answer), timeoutMs, "no answer to SSLRequest");
    return n === 1 && answer[0] === 0x53; // 'S'
  } finally {
    conn.close();
  }
}

/** Opens the driver's pool; every setting explicit (see the module doc on `PG*` variables). */
async function openPool(url: PostgresUrl, options: PostgresOptions): Promise<pg.Pool> {
  if (url.hosts.length > 1) {
    throw new Error(
      "several hosts in the URL: give the primary's address (or a proxy that follows it)",
    );
  }
  const [host, port] = [url.hosts[0], url.ports[0]];
  const connectTimeoutMs = url.connectTimeoutS !== undefined
    ? url.connectTimeoutS * 1000
    : options.connectTimeoutMs ?? 5000;
  let ssl = tlsOption(url);
  if (ssl === "prefer") {
    ssl = await serverOffersTls(host, port, connectTimeoutMs)
      ? { rejectUnauthorized: false }
      : false;
  } else if (ssl === "require") ssl = { rejectUnauthorized: false };
  const { application_name, options: extra, ...rest } = url.settings;
  if (options.readOnly) rest.default_transaction_read_only = "on";
  const switches = [
    ...(extra ? [extra] : []),
    ...Object.entries(rest).map(([name, value]) => settingSwitch(name, value)),
  ];
  const password = url.password;
  const pool = new pg.Pool({
    host,
    port,
    database: url.database,
    user: url.user,
    // A function: the driver then never falls back to ~/.pgpass.
    password: () => password,
    ssl,
    application_name: application_name ?? "scorewatch",
    options: switches.length ? switches.join(" ") : undefined,
    lock_timeout: Math.trunc(options.lockTimeoutMs ?? 2000),
    // A transaction left open by a client that vanished is ended by the server.
    idle_in_transaction_session_timeout: 60_000,
    max: options.poolSize ?? (options.readOnly ? 2 : 10),
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 300_000,
    maxLifetimeSeconds: 1800,
    keepAlive: true,
    keepAliveInitialDelayMillis: 30_000,
    types: TYPES,
  } as pg.PoolConfig);
  // A pooled connection the server closed (restart, failover) is dropped and
  // replaced at the next checkout; a checked-out one fails its query, which
  // the caller handles. Neither may crash the process.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/** Prepared-statement names by query text (bounded: beyond it, statements are unnamed). */
const statementNames = new Map<string, string>();
function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < 512) {
    name = `scorewatch_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}

/** Query texts converted to `$n` placeholders, cached (texts vary little). */
function placeholderCache(): (text: string) => string {
  const cache = new Map<string, string>();
  return (text) => {
    let out = cache.get(text);
    if (out === undefined) {
      if (cache.size >= 512) cache.delete(cache.keys().next().value!);
      out = numberPlaceholders(text);
      cache.set(text, out);
    }
    return out;
  };
}

/** What `pg-cursor` returns from `client.query(new Cursor(…))`. */
interface Cursor {
  read(rows: number): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
const CursorClass = PgCursor as unknown as new (text: string, values: unknown[]) => Cursor;

/** Runs a prepared statement; `timeoutMs` bounds the wait on the client side. */
function run(
  conn: pg.Pool | pg.PoolClient,
  text: string,
  values: readonly unknown[] = [],
  timeoutMs?: number,
): Promise<pg.QueryResult> {
  return conn.query({
    text,
    values: values as unknown[],
    name: statementName(text),
    ...(timeoutMs ? { query_timeout: timeoutMs } : {}),
  } as pg.QueryConfig);
}

/**
 * Runs `work` in a transaction on one pooled connection; rolls back on
 * error. A connection that cannot even roll back (lost, or timed out) is
 * destroyed instead of going back to the pool.
 */
async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  timeoutMs?: number,
): Promise<T> {
  const client = await pool.connect();
  let healthy = true;
  try {
    await run(client, "BEGIN", [], timeoutMs);
    const out = await work(client);
    await run(client, "COMMIT", [], timeoutMs);
    return out;
  } catch (err) {
    healthy = await run(client, "ROLLBACK", [], timeoutMs).then(() => true, () => false);
    throw err;
  } finally {
    client.release(healthy ? undefined : true);
  }
}

/** The executor over a pool (or, inside a transaction, over its connection). */
function postgresExecutor(
  pool: pg.Pool,
  numbered: (text: string) => string,
  client?: pg.PoolClient,
): Sql {
  const conn = client ?? pool;
  const query = (text: string, params: readonly SqlValue[] = []) =>
    run(conn, numbered(text), params);
  const sql: Sql = {
    dialect: POSTGRES,
    all: async <T>(text: string, params?: readonly SqlValue[]) =>
      (await query(text, params)).rows as T[],
    get: async <T>(text: string, params?: readonly SqlValue[]) =>
      (await query(text, params)).rows[0] as T | undefined,
    run: async (text, params) => (await query(text, params)).rowCount ?? 0,
    transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
      if (client) return work(sql);
      return inTransaction(pool, (c) => work(postgresExecutor(pool, numbered, c)));
    },
    async *pages<T>(text: string, params: readonly SqlValue[], pageRows: number) {
      // A server-side cursor (portal) on a connection of its own: pageRows
      // rows per round trip, whatever the window.
      const own = client ?? await pool.connect();
      const cursor = own.query(new CursorClass(numbered(text), [...params]) as never) as Cursor;
      const size = Math.max(1, pageRows);
      // The next page is asked for before this one is handed out, so the
      // server and the network work while the reader processes a page.
      let next: Promise<Record<string, unknown>[]> | undefined = cursor.read(size);
      try {
        while (next) {
          const rows = await next;
          next = undefined;
          if (rows.length === 0) break;
          if (rows.length === size) next = cursor.read(size);
          yield rows as T[];
        }
      } finally {
        await next?.catch(() => {});
        // Also when the reader stops early: the portal is closed and the
        // connection pooled again — unless it cannot even close (lost).
        const healthy = await cursor.close().then(() => true, () => false);
        if (!client) (own as pg.PoolClient).release(healthy ? undefined : true);
      }
    },
  };
  return sql;
}

/** The migrator's view of a pool. */
function migrationConnection(pool: pg.Pool, client?: pg.PoolClient): MigrationConnection {
  const conn = client ?? pool;
  return {
    async query<T>(text: string, params: readonly (string | number)[] = []) {
      // Without parameters: the simple protocol, several statements allowed.
      const result = params.length ? await conn.query(text, [...params]) : await conn.query(text);
      const last = Array.isArray(result) ? result.at(-1) : result;
      return (last?.rows ?? []) as T[];
    },
    transaction<T>(work: (tx: MigrationConnection) => Promise<T>): Promise<T> {
      if (client) return work(this);
      return inTransaction(pool, (c) => work(migrationConnection(pool, c)));
    },
  };
}

/** The SQL type of each prediction column, for the `unnest` arrays of the multi-row insert. */
const COLUMN_TYPES: Record<(typeof PREDICTION_COLUMNS)[number], string> = {
  ts_utc: "text",
  client_id: "text",
  request_id: "text",
  model_version: "text",
  proba_default: "float8",
  threshold: "float8",
  decision: "int2",
  latency_ms: "float8",
  input_json: "text",
  reasons_json: "text",
};

const INSERT_ROWS = `INSERT INTO predictions (${PREDICTION_COLUMNS.join(", ")})
  SELECT * FROM unnest(${PREDICTION_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c]}[]`)})
  ON CONFLICT (request_id, client_id) DO NOTHING
  RETURNING id, client_id, request_id`;
const EXISTING = `SELECT client_id, request_id FROM predictions
  WHERE (request_id, client_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;
const INSERT_SHADOWS = `INSERT INTO shadow_predictions (prediction_id, model_version,
    proba_default, threshold, decision, reasons_json)
  SELECT * FROM unnest($1::int8[], $2::text[], $3::float8[], $4::float8[], $5::int2[], $6::text[])`;
const UPSERT_ROLLUP = numberPlaceholders(rollupUpsertSql(POSTGRES));

/** Rows per multi-row insert statement. */
const INSERT_CHUNK = 2000;

const keyOf = (r: { client_id: string; request_id: string }) =>
  `${r.client_id}\u0000${r.request_id}`;

/**
 * The commit of one group: the same results as SQLite's committer (an entry
 * reusing a logged id, or an id an earlier entry of the group claimed, is
 * `duplicate`), and correct when another replica logs the same id at the
 * same moment. Every statement is bounded by `timeoutMs` on the client side.
 */
function commitGroup(
  pool: pg.Pool,
  entries: readonly LogEntry[],
  timeoutMs: number,
): Promise<EntryResult[]> {
  const results: EntryResult[] = entries.map(() => "logged");
  const keys = entries.map((e) => e.rows.map(keyOf));
  // Entries repeating a key inside themselves are refused outright.
  entries.forEach((_, i) => {
    if (new Set(keys[i]).size < keys[i].length) results[i] = "duplicate";
  });
  const claims = new Map<string, number>();
  for (const [i, ks] of keys.entries()) {
    if (results[i] === "logged") { for (const k of ks) claims.set(k, (claims.get(k) ?? 0) + 1); }
  }
  return inTransaction(pool, async (tx) => {
    const exec = (text: string, values: readonly unknown[]) => run(tx, text, values, timeoutMs);
    // Two entries of the group claim one key: decide as SQLite does, in order,
    // knowing which keys are logged already (rare; otherwise ON CONFLICT says it).
    if ([...claims.values()].some((n) => n > 1)) {
      const all = entries.flatMap((e) => e.rows);
      const existing = new Set(
        (await exec(EXISTING, [all.map((r) => r.request_id), all.map((r) => r.client_id)]))
          .rows.map((r) => keyOf(r)),
      );
      const seen = new Set<string>();
      for (const [i, ks] of keys.entries()) {
        if (results[i] !== "logged") continue;
        if (ks.some((k) => seen.has(k) || existing.has(k))) results[i] = "duplicate";
        else for (const k of ks) seen.add(k);
      }
    }
    const rows = entries.filter((_, i) => results[i] === "logged").flatMap((e) => e.rows);
    if (rows.length === 0) return results;
    const idOf = new Map<string, number>();
    // One statement per INSERT_CHUNK rows: a bulk load (the simulator) stays a few MB per statement.
    for (let from = 0; from < rows.length; from += INSERT_CHUNK) {
      const chunk = rows.slice(from, from + INSERT_CHUNK);
      const inserted = await exec(
        INSERT_ROWS,
        PREDICTION_COLUMNS.map((c) => chunk.map((r) => r[c] ?? null)),
      );
      for (const r of inserted.rows) idOf.set(keyOf(r), Number(r.id));
    }
    // All or none: an entry with a row another transaction logged first is a
    // duplicate, and its rows that got in go again.
    const partial: number[] = [];
    const logged: PredictionRecord[] = [];
    const loggedIds: number[] = [];
    const shadows: SqlValue[][] = [[], [], [], [], [], []];
    for (const [i, entry] of entries.entries()) {
      if (results[i] !== "logged") continue;
      const ids = entry.rows.map((r) => idOf.get(keyOf(r)));
      if (ids.some((id) => id === undefined)) {
        results[i] = "duplicate";
        partial.push(...ids.filter((id): id is number => id !== undefined));
        continue;
      }
      logged.push(...entry.rows);
      loggedIds.push(...(ids as number[]));
      for (const s of entry.shadows ?? []) {
        shadows[0].push(ids[s.row]!);
        shadows[1].push(s.model_version);
        shadows[2].push(s.proba_default);
        shadows[3].push(s.threshold);
        shadows[4].push(s.decision);
        shadows[5].push(s.reasons_json ?? null);
      }
    }
    if (partial.length) await exec("DELETE FROM predictions WHERE id = ANY($1::int8[])", [partial]);
    if (shadows[0].length) await exec(INSERT_SHADOWS, shadows);
    const deltas = aggregateMinutes(logged, loggedIds).sort((a, b) =>
      a.minute - b.minute || (a.model_version < b.model_version ? -1 : 1)
    );
    for (const d of deltas) await exec(UPSERT_ROLLUP, rollupParams(d));
    return results;
  }, timeoutMs);
}

/**
 * What a `VACUUM` leaves behind after rows were deleted (measured on
 * PostgreSQL 15 by grepping the relation files for a deleted marker): the
 * deleted row is unreachable by any query from its commit on; `VACUUM`
 * frees its heap tuple, its index entries and TOAST chunks, and compacts the
 * pages — but the bytes of a freed tuple stay in the page's free space until
 * a later write reuses it (measured: a tuple in the middle of a page was
 * overwritten by the compaction; the last tuple written to a page was still
 * readable in the file, as was its index entry). The write-ahead log keeps
 * the original insert until its segment is recycled after checkpoints, and
 * WAL archives, base backups and replicas keep what they received. For
 * complete removal from the data files: `VACUUM FULL predictions, outcomes,
 * shadow_predictions` in a maintenance window (it locks the tables: appends
 * answer 503 while it runs), and a backup retention that ages the rest out.
 */
export const POSTGRES_SCRUB = "VACUUM predictions, outcomes, shadow_predictions";

/** Rejects after `ms` with `message` unless `promise` settles first. */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Opens (and migrates, unless read-only) the PostgreSQL store at `target`. */
export async function openPostgresStore(
  target: string,
  options: PostgresOptions = {},
): Promise<Store> {
  const location = redactPostgresUrl(target);
  let pool: pg.Pool | undefined;
  try {
    pool = await openPool(parsePostgresUrl(target), options);
    const db = migrationConnection(pool);
    if (options.readOnly) {
      const version = await schemaVersion(db);
      if (version === 0) throw new Error("not a Scorewatch audit database (no schema)");
      if (version > SCHEMA_VERSION) {
        throw new Error(`schema version ${version} is newer than this code (${SCHEMA_VERSION})`);
      }
    } else {
      await migrate(db);
    }
  } catch (err) {
    await pool?.end();
    throw new Error(`${location}: ${(err as Error).message}`);
  }
  return postgresStore(pool, target, location, options);
}

function postgresStore(
  pool: pg.Pool,
  target: string,
  location: string,
  options: PostgresOptions,
): Store {
  const sql = postgresExecutor(pool, placeholderCache());
  const commitTimeoutMs = options.commitTimeoutMs ?? 10_000;
  const writer = createGroupCommitWriter<LogEntry, EntryResult>(async (entries) => {
    try {
      return await commitGroup(pool, entries, commitTimeoutMs);
    } catch (err) {
      throw new StoreWriteError(err);
    }
  }, {
    rowsOf: (entry) => entry.rows.length,
    maxRows: options.maxBatchRows,
    maxDelayMs: options.flushDelayMs,
    onCommit: options.onCommit,
    onFailure: options.onFailure,
  });
  const hooks: EraseHooks = {
    secureTransaction: (work) => sql.transaction(work),
    async scrub() {
      try {
        await pool.query(POSTGRES_SCRUB);
        return true;
      } catch {
        // E.g. another replica's VACUUM holds the tables past lock_timeout: the next pass scrubs.
        return false;
      }
    },
  };
  const probeTimeoutMs = options.probeTimeoutMs ?? 2000;
  let closed: Promise<void> | undefined;

  return {
    backend: "postgres",
    target,
    location,
    append: (entry) => writer.append(entry),
    get queueDepth() {
      return writer.depth;
    },
    async checkWritable() {
      if (closed) return false;
      try {
        // The locks an append takes, and a committed write, all within the probe's time.
        await withTimeout(
          inTransaction(pool, async (tx) => {
            await run(tx, "LOCK TABLE predictions, prediction_minutes IN ROW EXCLUSIVE MODE");
            await run(
              tx,
              `INSERT INTO health_probe (id, ts_utc) VALUES (1, $1)
               ON CONFLICT (id) DO UPDATE SET ts_utc = excluded.ts_utc`,
              [new Date().toISOString()],
              probeTimeoutMs,
            );
          }, probeTimeoutMs),
          probeTimeoutMs,
          "probe timed out",
        );
        return true;
      } catch {
        return false;
      }
    },
    ...storeQueries(sql),
    erase: eraseOps(hooks),
    close() {
      closed ??= writer.drain().then(() => pool.end());
      return closed;
    },
  };
}
