import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { migrate, SCHEMA_VERSION, schemaVersion } from "./schema.ts";

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
