import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion } from "./_sqlite_schema.ts";

Deno.test("migrate brings a new database to the current version, once", () => {
  const db = new DatabaseSync(":memory:");
  assert.deepEqual(migrate(db), { from: 0, to: SCHEMA_VERSION });
  assert.equal(schemaVersion(db), SCHEMA_VERSION);
  assert.deepEqual(migrate(db), { from: SCHEMA_VERSION, to: SCHEMA_VERSION });
  const cols = db.prepare("PRAGMA table_info(predictions)").all().map((c) => c.name);
  for (
    const c of [
      "ts_utc",
      "request_id",
      "model_version",
      "proba_default",
      "threshold",
      "decision",
      "latency_ms",
      "input_json",
    ]
  ) assert.ok(cols.includes(c), c);
  const indexes = db.prepare("PRAGMA index_list(predictions)").all().map((i) => i.name);
  assert.ok(indexes.includes("predictions_ts"));
  db.close();
});

Deno.test("a database from a newer version of the code is refused", () => {
  const db = new DatabaseSync(":memory:");
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  assert.throws(() => migrate(db), /newer than this code/);
  db.close();
});

Deno.test("migration 5: decisions become 0/1, reused request ids are set apart, outcomes kept", () => {
  const db = new DatabaseSync(":memory:");
  for (let v = 0; v < 4; v++) db.exec(MIGRATIONS[v]);
  db.exec("PRAGMA user_version = 4");
  const insert = db.prepare(
    `INSERT INTO predictions (ts_utc, request_id, model_version, proba_default, threshold,
       decision, latency_ms, input_json) VALUES ('2026-01-01', ?, 'm', 0.5, 0.5, ?, 1, '{}')`,
  );
  insert.run("a", "reject");
  insert.run("a", "approve"); // the same id reused (the bug version 5 fixes)
  insert.run("b", "approve");
  db.exec("INSERT INTO outcomes VALUES ('a', 'default', '2026-02-01', '2026-02-01')");
  migrate(db);
  const rows = db.prepare("SELECT id, client_id, request_id, decision FROM predictions ORDER BY id")
    .all().map((r) => ({ ...r }));
  assert.deepEqual(rows, [
    { id: 1, client_id: "", request_id: "a", decision: 1 },
    { id: 2, client_id: "legacy-duplicate-2", request_id: "a", decision: 0 },
    { id: 3, client_id: "", request_id: "b", decision: 0 },
  ]);
  const outcomes = db.prepare("SELECT client_id, request_id FROM outcomes").all().map((r) => ({
    ...r,
  }));
  assert.deepEqual(outcomes, [{ client_id: "", request_id: "a" }], "joins the first row only");
  assert.throws(() => insert.run("b", 0), /UNIQUE/);
  db.close();
});
