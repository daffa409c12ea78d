import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { placeholders, where } from "./_sql.ts";
import { inTransaction, sqliteExecutor } from "./_sqlite.ts";

Deno.test("inTransaction commits the work and returns its result", () => {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE t (x)");
  const out = inTransaction(db, () => {
    db.exec("INSERT INTO t VALUES (1)");
    return 42;
  });
  assert.equal(out, 42);
  assert.equal(db.isTransaction, false);
  assert.deepEqual(db.prepare("SELECT x FROM t").all().map((r) => r.x), [1]);
  db.close();
});

Deno.test("inTransaction rolls everything back when the work throws", () => {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE t (x)");
  assert.throws(() =>
    inTransaction(db, () => {
      db.exec("INSERT INTO t VALUES (1)");
      throw new Error("boom");
    }), /boom/);
  assert.equal(db.isTransaction, false);
  assert.equal((db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n, 0);
  db.close();
});

Deno.test("the SQLite executor serialises transactions and rolls back a failed one", async () => {
  const db = new DatabaseSync(":memory:");
  const sql = sqliteExecutor(db);
  await sql.run("CREATE TABLE t (x INTEGER)");
  const results = await Promise.allSettled([
    sql.transaction(async (tx) => {
      await tx.run("INSERT INTO t VALUES (?)", [1]);
      await tx.run("INSERT INTO t VALUES (?)", [2]);
    }),
    sql.transaction(async (tx) => {
      await tx.run("INSERT INTO t VALUES (?)", [3]);
      throw new Error("boom");
    }),
    sql.transaction((tx) => tx.run("INSERT INTO t VALUES (?)", [4])),
  ]);
  assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.deepEqual((await sql.all<{ x: number }>("SELECT x FROM t ORDER BY x")).map((r) => r.x), [
    1,
    2,
    4,
  ]);
  const pages: number[][] = [];
  for await (const page of sql.pages<{ x: number }>("SELECT x FROM t ORDER BY x", [], 2)) {
    pages.push(page.map((r) => r.x));
  }
  assert.deepEqual(pages, [[1, 2], [4]]);
  db.close();
});

Deno.test("where keeps only the conditions whose values are given", () => {
  assert.deepEqual(where(["a >= ?", 1], ["b < ?", undefined], ["c = ?", "x"]), {
    sql: "WHERE a >= ? AND c = ?",
    params: [1, "x"],
  });
  assert.deepEqual(where(["a >= ?", undefined]), { sql: "", params: [] });
  assert.equal(placeholders(3), "?, ?, ?");
});
