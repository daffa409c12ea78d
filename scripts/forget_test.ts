import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import {
  createTempPostgresStore,
  createTempStore,
  POSTGRES_SKIP,
  schemaUrl,
  testRecord,
} from "../api/testing/temp_store.ts";
import { EXIT_NOT_SCRUBBED, type ForgetIo, runForget } from "./forget.ts";

const record = (requestId: string) => testRecord(requestId);

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
  await t.store.append({ rows: ids.map(record) });
  return t;
}

Deno.test("forget deletes one request's rows, prints the count, while the store is open", async () => {
  await using t = await logWith(["a", "b", "batch:0", "batch:1"]);
  const c = capture();
  assert.equal(await runForget(["--request-id", "a", "--db", t.path], c.io), 0);
  assert.match(c.out[0], /deleted 1 prediction row\(s\) for request id a/);
  assert.deepEqual(await t.ids(), ["b", "batch:0", "batch:1"]);
  const item = capture();
  assert.equal(await runForget(["--request-id", "batch:1", "--db", t.path], item.io), 0);
  assert.deepEqual(await t.ids(), ["b", "batch:0"]);
  await t.store.append({ rows: [record("after")] });
  assert.equal(await t.store.predictions.count(), 3, "the service keeps logging afterwards");
});

Deno.test("forget on a batch id keeps its items and says so, unless --whole-batch", async () => {
  await using t = await logWith(["batch:0", "batch:1", "other"]);
  const c = capture({ DB_PATH: t.path });
  assert.equal(await runForget(["--request-id", "batch"], c.io), 0, "DB_PATH is used without --db");
  assert.match(c.out[0], /deleted 0 prediction row/);
  assert.match(c.out[1], /2 batch item\(s\) batch:<row> were kept/);
  assert.equal(await t.store.predictions.count(), 3);
  const whole = capture({ DB_PATH: t.path });
  assert.equal(await runForget(["--request-id", "batch", "--whole-batch"], whole.io), 0);
  assert.match(whole.out[0], /deleted 2 prediction row/);
  assert.deepEqual(await t.ids(), ["other"]);
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
    assert.equal(await runForget(args, c.io), 1, args.join(" "));
    assert.equal(c.err.length, 1);
  }
  assert.deepEqual([...Deno.readDirSync(dir)], [], "no database was created");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("forget does not report success while a reader's snapshot keeps deleted values on disk", async () => {
  const marker = "forget-me-while-a-backup-reads-77aa";
  await using t = await logWith([marker, "other"]);
  await t.store.erase.scrub();
  const onDisk = async () => {
    const latin1 = new TextDecoder("latin1");
    const read = (p: string) => Deno.readFile(p).catch(() => new Uint8Array());
    return latin1.decode(await read(t.path)) + latin1.decode(await read(`${t.path}-wal`));
  };
  const reader = new DatabaseSync(t.path, { readOnly: true });
  reader.exec("BEGIN");
  reader.prepare("SELECT count(*) FROM predictions").get();
  const held = capture();
  try {
    const code = await runForget(
      ["--request-id", marker, "--db", t.path, "--wait", "0.2"],
      held.io,
    );
    assert.equal(code, EXIT_NOT_SCRUBBED, "a non-zero exit");
    assert.ok((await onDisk()).includes(marker), "the value is indeed still on disk");
  } finally {
    reader.exec("COMMIT");
    reader.close();
  }
  assert.match(held.out[0], /deleted 1 prediction row\(s\)/);
  assert.equal(held.err.length, 1);
  assert.match(held.err[0], /^forget: WARNING: the rows are deleted from the tables, but copies/);
  assert.match(held.err[0], /Run this command again once it has finished/);

  const again = capture();
  assert.equal(await runForget(["--request-id", marker, "--db", t.path], again.io), 0);
  assert.match(again.out[0], /deleted 0 prediction row\(s\)/);
  assert.deepEqual(again.err, []);
  assert.ok(!(await onDisk()).includes(marker), "the second run finished the scrub");
  assert.deepEqual(await t.ids(), ["other"]);
});

Deno.test("forget refuses a --wait that is not a number of seconds", async () => {
  await using t = await logWith(["a"]);
  for (const wait of ["soon", "-1", "99999"]) {
    const c = capture();
    assert.equal(await runForget(["--request-id", "a", "--db", t.path, `--wait=${wait}`], c.io), 1);
    assert.match(c.err[0], /--wait takes a number of seconds/);
  }
  assert.deepEqual(await t.ids(), ["a"]);
});

Deno.test({
  name: "forget on PostgreSQL: DATABASE_URL is used, the row goes, the URL shows no password",
  ignore: POSTGRES_SKIP !== undefined,
  async fn() {
    await using t = await createTempPostgresStore();
    await t.store.append({ rows: ["a", "b"].map(record) });
    const url = schemaUrl(t.schema!);
    const c = capture({ DATABASE_URL: url, DB_PATH: "/nonexistent/ignored.sqlite" });
    assert.equal(await runForget(["--request-id", "a"], c.io), 0, c.err.join("\n"));
    assert.match(c.out[0], /deleted 1 prediction row\(s\) for request id a .* from postgres:\/\//);
    assert.deepEqual(await t.ids(), ["b"]);
    const bad = capture();
    const target = "postgres://scorewatch:s3cret-pw@127.0.0.1:1/audit";
    assert.equal(await runForget(["--request-id", "a", "--db", target], bad.io), 1);
    assert.ok(!bad.err.join("\n").includes("s3cret-pw"), bad.err.join("\n"));
  },
});
