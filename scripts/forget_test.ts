import assert from "node:assert/strict";
import { join } from "node:path";
import type { PredictionRecord } from "../api/store/mod.ts";
import { createTempStore } from "../api/testing/temp_store.ts";
import { type ForgetIo, runForget } from "./forget.ts";

function record(requestId: string): PredictionRecord {
  return {
    ts_utc: "2026-01-01T00:00:00.000Z",
    request_id: requestId,
    model_version: "m1",
    proba_default: 0.3,
    threshold: 0.5,
    decision: "approve",
    latency_ms: 1,
    input_json: "{}",
  };
}

function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ForgetIo = {
    getEnv: (name) => env[name],
    log: (l) => out.push(l),
    error: (l) => err.push(l),
  };
  return { io, out, err };
}

async function logWith(ids: string[]) {
  const t = await createTempStore();
  await t.store.append(ids.map(record));
  return t;
}

Deno.test("forget deletes one request's rows, prints the count, while the store is open", async () => {
  await using t = await logWith(["a", "b", "batch:0", "batch:1"]);
  const c = capture();
  assert.equal(runForget(["--request-id", "a", "--db", t.path], c.io), 0);
  assert.match(c.out[0], /deleted 1 prediction row\(s\) for request id a/);
  assert.deepEqual(t.ids(), ["b", "batch:0", "batch:1"]);
  const item = capture();
  assert.equal(runForget(["--request-id", "batch:1", "--db", t.path], item.io), 0);
  assert.deepEqual(t.ids(), ["b", "batch:0"]);
  await t.store.append([record("after")]);
  assert.equal(t.store.count(), 3, "the service keeps logging afterwards");
});

Deno.test("forget on a batch id keeps its items and says so, unless --whole-batch", async () => {
  await using t = await logWith(["batch:0", "batch:1", "other"]);
  const c = capture({ DB_PATH: t.path });
  assert.equal(runForget(["--request-id", "batch"], c.io), 0, "DB_PATH is used without --db");
  assert.match(c.out[0], /deleted 0 prediction row/);
  assert.match(c.out[1], /2 batch item\(s\) batch:<row> were kept/);
  assert.equal(t.store.count(), 3);
  const whole = capture({ DB_PATH: t.path });
  assert.equal(runForget(["--request-id", "batch", "--whole-batch"], whole.io), 0);
  assert.match(whole.out[0], /deleted 2 prediction row/);
  assert.deepEqual(t.ids(), ["other"]);
});

Deno.test("forget refuses bad usage and a missing database without creating one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_forget_" });
  const missing = join(dir, "nope.sqlite");
  for (
    const args of [[], ["--request-id", "  "], ["--request-id", "x", "--bogus"], [
      "--request-id",
      "x",
      "--db",
      missing,
    ]]
  ) {
    const c = capture();
    assert.equal(runForget(args, c.io), 1, args.join(" "));
    assert.equal(c.err.length, 1);
  }
  assert.deepEqual([...Deno.readDirSync(dir)], [], "no database was created");
  await Deno.remove(dir, { recursive: true });
});
