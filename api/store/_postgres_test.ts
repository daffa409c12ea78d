/**
 * The PostgreSQL backend's own parts: the connection URL (libpq's form,
 * TLS modes, no password ever shown), migrations that several replicas may
 * run at once, two replicas racing on one request id, and the scrub after
 * an erasure. The contract itself runs on both backends (storeTest).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  createTestSchema,
  openAdminSession,
  POSTGRES_SKIP,
  schemaUrl,
  testRecord,
  waitForLockWait,
  withAdmin,
} from "../testing/temp_store.ts";
import { numberPlaceholders } from "./_sql.ts";
import { parsePostgresUrl, redactPostgresUrl, tlsOption } from "./_postgres.ts";
import { migrate, type MigrationConnection, SCHEMA_VERSION } from "./_postgres_schema.ts";
import type { Migration } from "./_migrations.ts";
import pg from "pg";
import { openStore, type Store } from "./mod.ts";

Deno.test("a libpq URL is parsed: hosts, credentials (decoded), TLS, session settings", () => {
  const url = parsePostgresUrl(
    "postgresql://audit%40corp:p%40ss%3Aw@db.example:6543/scorewatch?sslmode=verify-full" +
      "&sslrootcert=/etc/ca.pem&application_name=sw&options=-c%20search_path%3Daudit" +
      "&connect_timeout=3",
  );
  assert.deepEqual(url, {
    hosts: ["db.example"],
    ports: [6543],
    database: "scorewatch",
    user: "audit@corp",
    password: "p@ss:w",
    sslMode: "verify-full",
    sslRootCert: "/etc/ca.pem",
    connectTimeoutS: 3,
    settings: { application_name: "sw", options: "-c search_path=audit" },
  });
  const bare = parsePostgresUrl("postgres://localhost");
  assert.deepEqual([bare.hosts, bare.ports, bare.user, bare.database, bare.sslMode], [
    ["localhost"],
    [5432],
    "postgres",
    "postgres",
    "prefer",
  ]);
  assert.deepEqual(parsePostgresUrl("postgres://u@[::1]:5433/d").hosts, ["::1"]);
  assert.throws(() => parsePostgresUrl("postgres://u:pw@h/d?sslmode=sometimes"), /sslmode=/);
  assert.throws(() => parsePostgresUrl("mysql://u:pw@h/d"), (err: Error) => {
    assert.ok(!err.message.includes("pw"), err.message);
    return true;
  });
});

Deno.test("the shown URL never carries a password, whatever its shape", () => {
  assert.equal(
    redactPostgresUrl("postgres://audit:s3cret@db:5432/sw?sslmode=require&password=s3cret2"),
    "postgres://audit@db:5432/sw?sslmode=require",
  );
  assert.equal(redactPostgresUrl("postgres://db/sw"), "postgres://db/sw");
  fc.assert(
    fc.property(
      fc.string({ minLength: 1 }).filter((s) => !/[@/?#]/.test(s)),
      fc.string({ minLength: 6 }).map((s) => `pw${s}`),
      (user, password) => {
        const target = `postgres://${encodeURIComponent(user)}:${
          encodeURIComponent(password)
        }@h:1/d`;
        const shown = redactPostgresUrl(target);
        assert.ok(!shown.includes(encodeURIComponent(password)), shown);
        assert.ok(!shown.includes(password), shown);
      },
    ),
  );
});

Deno.test("sslmode maps to the driver's TLS settings as libpq means them", () => {
  const tls = (query: string, files: Record<string, string> = {}) =>
    tlsOption(parsePostgresUrl(`postgres://u@h/d${query}`), (path) => {
      if (!(path in files)) throw new Error("no such file");
      return files[path];
    });
  assert.equal(tls(""), "prefer");
  assert.equal(tls("?sslmode=disable"), false);
  assert.equal(tls("?sslmode=require"), "require");
  const full = tls("?sslmode=verify-full&sslrootcert=/ca.pem", { "/ca.pem": "CA" });
  assert.deepEqual(full, { rejectUnauthorized: true, ca: "CA" });
  // libpq: require with a root certificate checks the chain (verify-ca), not the host name.
  const ca = tls("?sslmode=require&sslrootcert=/ca.pem", { "/ca.pem": "CA" }) as {
    ca: string;
    rejectUnauthorized: boolean;
    checkServerIdentity: () => unknown;
  };
  assert.equal(ca.ca, "CA");
  assert.equal(ca.rejectUnauthorized, true);
  assert.equal(ca.checkServerIdentity(), undefined);
  assert.deepEqual(tls("?sslmode=verify-full&sslrootcert=system"), { rejectUnauthorized: true });
  assert.throws(() => tls("?sslmode=verify-full&sslrootcert=/missing.pem"), /sslrootcert/);
});

Deno.test("placeholders are numbered outside quotes and comments only", () => {
  assert.equal(
    numberPlaceholders(`SELECT '?', "a?" FROM t -- why?\nWHERE a = ? AND b /* ? */ IN (?, ?)`),
    `SELECT '?', "a?" FROM t -- why?\nWHERE a = $1 AND b /* ? */ IN ($2, $3)`,
  );
  assert.equal(numberPlaceholders("x = 'it''s ?' AND y = ?"), "x = 'it''s ?' AND y = $1");
});

/** A test on a fresh schema (dropped afterwards); ignored when PostgreSQL tests are off. */
function pgTest(name: string, fn: (schema: string) => Promise<void>): void {
  Deno.test({
    name: `postgres: ${name}`,
    ignore: POSTGRES_SKIP !== undefined,
    async fn() {
      const { schema, drop } = await createTestSchema();
      try {
        await fn(schema);
      } finally {
        await drop();
      }
    },
  });
}

async function openAll(n: number, target: string): Promise<Store[]> {
  const opened = await Promise.allSettled(
    Array.from({ length: n }, () => openStore(target, { poolSize: 2 })),
  );
  const stores = opened.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
  const failed = opened.filter((r) => r.status === "rejected");
  if (failed.length) {
    await Promise.all(stores.map((s) => s.close()));
    throw (failed[0] as PromiseRejectedResult).reason;
  }
  return stores;
}

pgTest("replicas starting together migrate once, under the advisory lock", async (schema) => {
  const stores = await openAll(4, schemaUrl(schema));
  try {
    const versions = await withAdmin(async (sql) =>
      (await sql.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`)).rows
        .map((r) => r.version)
    );
    assert.deepEqual(versions, [5, ...Array.from({ length: SCHEMA_VERSION - 5 }, (_, i) => 6 + i)]);
    for (const store of stores) {
      assert.equal(
        await store.append({ rows: [testRecord(`s${stores.indexOf(store)}`)] }),
        "logged",
      );
    }
    assert.equal(await stores[0].predictions.count(), 4);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

/** A migration connection over one client (the store's is over its pool). */
function clientConnection(client: pg.Client, inTx = false): MigrationConnection {
  return {
    async query<T>(text: string, params: readonly (string | number)[] = []) {
      const r = params.length ? await client.query(text, [...params]) : await client.query(text);
      const last = Array.isArray(r) ? r.at(-1) : r;
      return (last?.rows ?? []) as T[];
    },
    async transaction<T>(work: (tx: MigrationConnection) => Promise<T>) {
      if (inTx) return work(this);
      await client.query("BEGIN");
      try {
        const out = await work(clientConnection(client, true));
        await client.query("COMMIT");
        return out;
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
    },
  };
}

pgTest(
  "shared migrations (versions 6, 7, …) are applied after the baseline, each once, all or nothing",
  async (schema) => {
    const v6: Migration = {
      version: 6,
      name: "alert rules",
      sql: (d) =>
        `CREATE TABLE alert_rules (${d.idColumn}, name ${d.text} NOT NULL, fired_at_ms ${d.integer},
         score ${d.float}) ${d.keyedTable};
       CREATE INDEX alert_rules_name ON alert_rules (name)`,
    };
    const v7: Migration = {
      version: 7,
      name: "alert notes",
      sql: (d) => `ALTER TABLE alert_rules ADD COLUMN note ${d.text}`,
    };
    const broken: Migration = {
      version: 8,
      name: "broken",
      sql: () => "CREATE TABLE half_done (a INTEGER); SELECT no_such_function()",
    };
    const client = new pg.Client({ connectionString: schemaUrl(schema) });
    await client.connect();
    try {
      const db = clientConnection(client);
      assert.deepEqual(await migrate(db, [v6]), { from: 0, to: 6 });
      // A 64-bit integer column (epoch milliseconds) and code-point text order, as on SQLite.
      await client.query(
        "INSERT INTO alert_rules (name, fired_at_ms, score) VALUES ('b', 1767225600000, 0.5), ('B', 1, 1)",
      );
      assert.deepEqual(
        (await client.query("SELECT name FROM alert_rules ORDER BY name")).rows.map((r) => r.name),
        ["B", "b"],
      );
      assert.deepEqual(await migrate(db, [v6, v7]), { from: 6, to: 7 });
      assert.deepEqual(await migrate(db, [v6, v7]), { from: 7, to: 7 });
      await assert.rejects(migrate(db, [v6, v7, broken]), /migration to schema version 8 failed/);
      const versions =
        (await client.query("SELECT version FROM schema_migrations ORDER BY 1")).rows;
      assert.deepEqual(versions.map((r) => r.version), [5, 6, 7]);
      assert.equal((await client.query("SELECT to_regclass('half_done') AS t")).rows[0].t, null);
      await assert.rejects(migrate(db, [v6]), /schema version 7 is newer than this code \(6\)/);
      await assert.rejects(migrate(db, [v7]), /has version 7/);
    } finally {
      await client.end();
    }
  },
);

pgTest(
  "a schema written by newer code is refused, and an empty one is not read",
  async (schema) => {
    await assert.rejects(openStore(schemaUrl(schema), { readOnly: true }), /no schema/);
    const store = await openStore(schemaUrl(schema));
    await store.close();
    await withAdmin((sql) =>
      sql.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (999, 'future')`)
    );
    await assert.rejects(openStore(schemaUrl(schema)), /newer than this code/);
    await assert.rejects(openStore(schemaUrl(schema), { readOnly: true }), /newer than this code/);
  },
);

pgTest(
  "two replicas racing on one request id: one logs it, the other answers duplicate, all or none",
  async (schema) => {
    const [a, b] = await openAll(2, schemaUrl(schema));
    try {
      for (let round = 0; round < 20; round++) {
        const id = `race${round}`;
        // A batch (two rows) on one replica against a single row on the other: the batch is all or none.
        const results = await Promise.all([
          a.append({ rows: [testRecord(`${id}:0`), testRecord(`${id}:1`)] }),
          b.append({ rows: [testRecord(`${id}:1`)] }),
          b.append({ rows: [testRecord(`${id}-single`)] }),
          a.append({ rows: [testRecord(`${id}-single`)] }),
        ]);
        assert.equal(results.filter((r) => r === "logged").length, 2, String(results));
        assert.notEqual(results[0], results[1], "exactly one of the racing entries logged");
        assert.notEqual(results[2], results[3]);
        const batch = await a.predictions.findByRequestId(`${id}:0`);
        assert.equal(batch.length, results[0] === "logged" ? 1 : 0, "never half a batch");
      }
      const totals = await a.rollups.totals();
      assert.equal(totals.n, await a.predictions.count(), "the rollup counts exactly the rows");
    } finally {
      await a.close();
      await b.close();
    }
  },
);

pgTest(
  "a batch whose row another replica is logging waits, then goes whole or not at all",
  async (schema) => {
    const app = `sw_race_${schema}`;
    const store = await openStore(`${schemaUrl(schema)}&application_name=${app}`, { poolSize: 2 });
    const other = await openAdminSession();
    try {
      const row = testRecord("b:1");
      // Another replica's transaction has logged b:1 but not committed yet.
      await other.query("BEGIN");
      await other.query(
        `INSERT INTO "${schema}".predictions (ts_utc, client_id, request_id, model_version,
         proba_default, threshold, decision, latency_ms, input_json)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          row.ts_utc,
          row.client_id,
          row.request_id,
          row.model_version,
          row.proba_default,
          row.threshold,
          row.decision,
          row.latency_ms,
          row.input_json,
        ],
      );
      const pending = store.append({ rows: [testRecord("b:0"), row] });
      await waitForLockWait(app);
      await other.query("COMMIT");
      assert.equal(await pending, "duplicate", "the other replica logged b:1 first");
      assert.deepEqual(
        (await store.predictions.findByRequestId("b:0")).length,
        0,
        "b:0 went again",
      );
      assert.equal((await store.rollups.totals()).n, 0, "and left nothing in the rollup");
      assert.equal(await store.append({ rows: [testRecord("b:0")] }), "logged");
    } finally {
      await other.close();
      await store.close();
    }
  },
);

pgTest("an erasure is followed by a VACUUM of the tables that held the row", async (schema) => {
  const store = await openStore(schemaUrl(schema), { poolSize: 2 });
  try {
    await store.append({ rows: [testRecord("forget-me"), testRecord("keep")] });
    const erased = await store.erase.byRequestId("forget-me");
    assert.deepEqual([erased.predictions, erased.scrubbed], [1, true]);
    const stats = await withAdmin(async (sql) =>
      (await sql.query(
        `SELECT relname, last_vacuum IS NOT NULL AS vacuumed, n_dead_tup
           FROM pg_stat_user_tables WHERE schemaname = $1
            AND relname IN ('predictions', 'outcomes', 'shadow_predictions') ORDER BY relname`,
        [schema],
      )).rows
    );
    assert.deepEqual(stats.map((r) => [r.relname, r.vacuumed, Number(r.n_dead_tup)]), [
      ["outcomes", true, 0],
      ["predictions", true, 0],
      ["shadow_predictions", true, 0],
    ]);
    assert.deepEqual((await store.predictions.findByRequestId("forget-me")).length, 0);
  } finally {
    await store.close();
  }
});
