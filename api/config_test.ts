import assert from "node:assert/strict";
import { CONFIG, DEFAULT_CONFIG, DRIVER_ENV, loadConfig } from "./config.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("defaults apply when nothing is set", () => {
  const config = loadConfig(env({}));
  assert.equal(config.port, Number(CONFIG.PORT.default));
  assert.equal(config.dbPath, CONFIG.DB_PATH.default);
  assert.equal(config.strictInput, true);
  assert.equal(config.dbSynchronous, "FULL");
});

Deno.test("values are parsed from the environment", () => {
  const config = loadConfig(env({ PORT: "7860", STRICT_INPUT: "0", MAX_BATCH_ROWS: "50" }));
  assert.equal(config.port, 7860);
  assert.equal(config.strictInput, false);
  assert.equal(config.maxBatchRows, 50);
});

Deno.test("every invalid variable is named in one error", () => {
  assert.throws(
    () => loadConfig(env({ PORT: "80a", STRICT_INPUT: "yes", MAX_BATCH_ROWS: "0" })),
    (err: Error) => {
      assert.match(err.message, /PORT="80a": must be a whole number/);
      assert.match(err.message, /STRICT_INPUT="yes"/);
      assert.match(err.message, /MAX_BATCH_ROWS="0"/);
      return true;
    },
  );
});

Deno.test("API keys are parsed, and secrets never appear in error messages", () => {
  const key = "k".repeat(20);
  assert.deepEqual(loadConfig(env({ API_KEYS: `${key},${key}2` })).apiKeys, [key, key + "2"]);
  assert.throws(
    () => loadConfig(env({ ADMIN_KEYS: "tooshort", SESSION_SECRET: "also-short" })),
    (err: Error) => {
      assert.match(err.message, /ADMIN_KEYS=<redacted>: ADMIN_KEYS: key #1 is shorter/);
      assert.match(err.message, /SESSION_SECRET=<redacted>/);
      assert.ok(!err.message.includes("tooshort") && !err.message.includes("also-short"));
      return true;
    },
  );
});

Deno.test("the start and dev tasks allow every variable the service reads, and no other", async () => {
  const tasks = JSON.parse(await Deno.readTextFile("deno.json")).tasks;
  for (const task of ["start", "dev"]) {
    const allowed = /--allow-env=([A-Z_*,]+)/.exec(tasks[task])![1].split(",").sort();
    assert.deepEqual(allowed, [...Object.keys(CONFIG), ...DRIVER_ENV].sort(), task);
  }
});

Deno.test("DATABASE_URL is empty (SQLite) or a valid postgres URL, and never echoed", () => {
  assert.equal(loadConfig(env({})).databaseUrl, "");
  const url = "postgresql://sw:pw-123@db:5432/audit?sslmode=verify-full";
  assert.equal(loadConfig(env({ DATABASE_URL: url })).databaseUrl, url);
  for (const bad of ["mysql://sw:pw-123@db/audit", "postgres://sw:pw-123@db/a?sslmode=maybe"]) {
    assert.throws(() => loadConfig(env({ DATABASE_URL: bad })), (err: Error) => {
      assert.match(err.message, /DATABASE_URL=<redacted>/);
      assert.ok(!err.message.includes("pw-123"), err.message);
      return true;
    });
  }
});

Deno.test("WORKERS > 1 is refused on SQLite and taken with PostgreSQL", () => {
  assert.equal(loadConfig(env({})).workers, 1);
  assert.throws(
    () => loadConfig(env({ WORKERS: "2" })),
    /WORKERS="2": more than one worker needs DATABASE_URL/,
  );
  const config = loadConfig(env({ WORKERS: "4", DATABASE_URL: "postgres://db/audit" }));
  assert.equal(config.workers, 4);
  assert.equal(loadConfig(env({ WORKERS: "2", ALLOW_SQLITE_WORKERS: "1" })).workers, 2);
});

Deno.test("every variable fills its own field, and the defaults pass their own validation", () => {
  const keys = Object.values(CONFIG).map((spec) => spec.key);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(Object.keys(DEFAULT_CONFIG).sort(), [...keys].sort());
});
