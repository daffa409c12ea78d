import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { inTransaction, where } from "./sql.ts";

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

Deno.test("where keeps only the conditions whose values are given", () => {
  assert.deepEqual(where(["a >= ?", 1], ["b < ?", undefined], ["c = ?", "x"]), {
    sql: "WHERE a >= ? AND c = ?",
    params: [1, "x"],
  });
  assert.deepEqual(where(["a >= ?", undefined]), { sql: "", params: [] });
});
