/**
 * PostgreSQL store faults: the database goes away and comes back, a
 * connection is killed in the middle of a commit, a lock outlasts
 * `lock_timeout`, the database is read-only. In every case a write that did
 * not commit rejects with `StoreWriteError` (the API's 503), nothing
 * half-written stays, and the store recovers by itself. The SQLite faults
 * are in faults_test.ts.
 */
import assert from "node:assert/strict";
import {
  createTestSchema,
  openAdminSession,
  POSTGRES_SKIP,
  schemaUrl,
  TEST_DATABASE_URL,
  testRecord,
  waitForLockWait,
  withAdmin,
} from "../testing/temp_store.ts";
import { startTcpProxy } from "../testing/tcp_proxy.ts";
import { openStore, type Store, StoreWriteError } from "./mod.ts";

let seq = 0;
const record = (minute = 0) =>
  testRecord(`r${++seq}`, { ts_utc: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString() });

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

/** The test server's address. */
const server = () => {
  const u = new URL(TEST_DATABASE_URL);
  return { hostname: u.hostname || "127.0.0.1", port: Number(u.port || 5432) };
};

/** `url` pointed at 127.0.0.1:`port` (a proxy in front of the test server). */
function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = "127.0.0.1";
  u.port = String(port);
  return u.href;
}

async function counts(store: Store) {
  return {
    rows: await store.predictions.count(),
    rolledUp: (await store.rollups.totals()).n,
  };
}

pgTest(
  "database down: writes fail with StoreWriteError, not ready; back up: recovers by itself",
  async (schema) => {
    await using proxy = startTcpProxy(server());
    const store = await openStore(viaPort(schemaUrl(schema), proxy.port), {
      poolSize: 2,
      connectTimeoutMs: 2000,
    });
    try {
      assert.equal(await store.append({ rows: [record()] }), "logged");
      await proxy.down();
      await assert.rejects(store.append({ rows: [record()] }), StoreWriteError);
      assert.equal(await store.checkWritable(), false, "not ready while the database is down");
      proxy.up();
      assert.equal(await store.append({ rows: [record()] }), "logged", "recovered without help");
      assert.equal(await store.checkWritable(), true);
      assert.deepEqual(await counts(store), { rows: 2, rolledUp: 2 });
    } finally {
      await store.close();
    }
  },
);

pgTest(
  "a connection killed mid-commit fails the whole group (503), leaves nothing, and the pool recovers",
  async (schema) => {
    const app = `sw_fault_${schema}`;
    const store = await openStore(`${schemaUrl(schema)}&application_name=${app}`, { poolSize: 2 });
    const blocker = await openAdminSession();
    try {
      assert.equal(await store.append({ rows: [record(0)] }), "logged");
      // Hold the rollup row of minute 0: the next commit inserts its rows, then waits for it.
      await blocker.query("BEGIN");
      await blocker.query(`SELECT * FROM "${schema}".prediction_minutes FOR UPDATE`);
      const pending = store.append({ rows: [record(0), record(0)] });
      pending.catch(() => {});
      const pid = await waitForLockWait(app);
      await withAdmin((sql) => sql.query("SELECT pg_terminate_backend($1)", [pid]));
      await assert.rejects(pending, StoreWriteError);
      await blocker.query("ROLLBACK");
      assert.deepEqual(
        await counts(store),
        { rows: 1, rolledUp: 1 },
        "nothing of the killed commit",
      );
      assert.equal(await store.append({ rows: [record(0)] }), "logged");
      assert.equal(await store.checkWritable(), true);
    } finally {
      await blocker.close();
      await store.close();
    }
  },
);

pgTest(
  "a lock held past lock_timeout fails the write (503), not hangs, and clears",
  async (schema) => {
    const store = await openStore(schemaUrl(schema), { poolSize: 2, lockTimeoutMs: 100 });
    const blocker = await openAdminSession();
    try {
      assert.equal(await store.checkWritable(), true);
      await blocker.query("BEGIN");
      await blocker.query(`LOCK TABLE "${schema}".predictions IN SHARE MODE`);
      assert.equal(await store.checkWritable(), false);
      await assert.rejects(store.append({ rows: [record()] }), (err: Error) => {
        assert.ok(err instanceof StoreWriteError);
        assert.match(err.message, /lock timeout/);
        return true;
      });
      await blocker.query("ROLLBACK");
      assert.equal(await store.checkWritable(), true);
      assert.equal(await store.append({ rows: [record()] }), "logged");
      assert.deepEqual(await counts(store), { rows: 1, rolledUp: 1 });
    } finally {
      await blocker.close();
      await store.close();
    }
  },
);

pgTest(
  "a read-only database refuses writes and is not ready, and still serves reads",
  async (schema) => {
    const writer = await openStore(schemaUrl(schema), { poolSize: 1 });
    await writer.append({ rows: [record()] });
    await writer.close();
    for (
      const store of [
        await openStore(`${schemaUrl(schema)}&default_transaction_read_only=on`, { poolSize: 1 }),
        await openStore(schemaUrl(schema), { readOnly: true }),
      ]
    ) {
      try {
        assert.equal(await store.predictions.count(), 1);
        await assert.rejects(store.append({ rows: [record()] }), StoreWriteError);
        assert.equal(await store.checkWritable(), false);
      } finally {
        await store.close();
      }
    }
  },
);

pgTest("opening an unreachable server fails with a message that shows no password", async () => {
  // Nothing listens on port 1.
  await assert.rejects(
    openStore("postgres://scorewatch:s3cret-pw@127.0.0.1:1/audit", { connectTimeoutMs: 1000 }),
    (err: Error) => {
      assert.match(err.message, /postgres:\/\/scorewatch@127\.0\.0\.1:1\/audit/);
      assert.ok(!err.message.includes("s3cret-pw"), err.message);
      return true;
    },
  );
});
