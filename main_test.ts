/**
 * The real service process: graceful shutdown on SIGTERM, model reload on SIGHUP.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startService } from "./scripts/lib/service.ts";
import { readModelMeta, typicalApplicant } from "./api/scoring/model_meta.ts";
import { copyAsVersion } from "./scripts/lib/model_copy.ts";
import { createTestSchema, POSTGRES_SKIP, schemaUrl, withAdmin } from "./api/testing/temp_store.ts";

const root = new URL(".", import.meta.url).pathname;
const features = typicalApplicant(await readModelMeta(join(root, "artifacts")));

/** Polls `/metrics` until the audit-log queue holds `rows` rows (a condition, not a sleep). */
async function waitForQueue(baseUrl: string, rows: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    if (/^audit_log_queue_depth (\d+)/m.exec(text)?.[1] === String(rows)) return;
  }
  throw new Error(`the queue never held ${rows} rows`);
}

Deno.test("SIGTERM: in-flight requests finish and are logged, then the process exits cleanly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "shutdown_test_" });
  // Group commit held for 1 s: requests stay in flight until their commit.
  const service = await startService({ dbDir: dir, env: { LOG_FLUSH_MS: "1000" } });
  try {
    const ids = ["t1", "t2", "t3"];
    const inFlight = ids.map((id) =>
      fetch(`${service.baseUrl}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": id },
        body: JSON.stringify({ features }),
      })
    );
    await waitForQueue(service.baseUrl, ids.length);
    const exited = service.stop("SIGTERM");
    const responses = await Promise.all(inFlight);
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200]);
    const answered = await Promise.all(responses.map((r) => r.json()));
    assert.deepEqual(answered.map((b) => b.request_id), ids);
    const status = await exited;
    assert.equal(status.code, 0, service.output());
    assert.match(service.output(), /audit log flushed and closed/);
    await assert.rejects(fetch(`${service.baseUrl}/health/live`), "no longer accepting");

    const db = new DatabaseSync(service.dbPath, { readOnly: true });
    const logged = db.prepare("SELECT request_id FROM predictions ORDER BY request_id").all()
      .map((r) => r.request_id);
    assert.equal(
      (db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check,
      "ok",
    );
    db.close();
    assert.deepEqual(logged, ids);
  } finally {
    await service.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});

/** GET `path` on a fresh TCP connection (`Connection: close`): the kernel picks the worker anew. */
async function getOnNewConnection(baseUrl: string, path: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  await conn.write(
    new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`,
    ),
  );
  return await new Response(conn.readable).text();
}

Deno.test({
  name: "postgres: WORKERS=2 serves from two workers on one port, and SIGTERM drains both",
  ignore: POSTGRES_SKIP !== undefined,
  async fn() {
    const { schema, drop } = await createTestSchema();
    const dir = await Deno.makeTempDir({ prefix: "workers_test_" });
    const service = await startService({
      dbDir: dir,
      env: { DATABASE_URL: schemaUrl(schema), WORKERS: "2", DATABASE_POOL_SIZE: "2" },
    });
    try {
      assert.match(service.output(), /ready in \d+ ms on http:\/\/127\.0\.0\.1:\d+ \(2 workers\)/);
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          fetch(`${service.baseUrl}/predict`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-request-id": `w-${i}` },
            body: JSON.stringify({ features }),
          }).then(async (r) => (await r.body?.cancel(), r.status))),
      );
      assert.deepEqual(new Set(answers), new Set([200]));
      // Each worker counts what it served: two different counts = two workers answering.
      const counts = new Set<string>();
      for (let i = 0; i < 24 && counts.size < 2; i++) {
        const metrics = await getOnNewConnection(service.baseUrl, "/metrics");
        counts.add(metrics.split("\n").filter((l) => l.startsWith("http_requests_total")).join());
      }
      assert.equal(counts.size, 2, "connections reached both workers");
      const status = await service.stop("SIGTERM");
      assert.equal(status.code, 0, service.output());
      assert.match(service.output(), /audit log flushed and closed/);
      const logged = await withAdmin(async (sql) =>
        Number((await sql.query(`SELECT count(*) AS n FROM "${schema}".predictions`)).rows[0].n)
      );
      assert.equal(logged, 30);
    } finally {
      await service.stop("SIGKILL");
      await Deno.remove(dir, { recursive: true });
      await drop();
    }
  },
});

Deno.test("SIGHUP: a version added to MODELS_DIR is loaded and can be promoted, without a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sighup_test_" });
  const modelsDir = join(dir, "models");
  await Deno.mkdir(modelsDir);
  const service = await startService({ dbDir: dir, env: { MODELS_DIR: modelsDir } });
  try {
    const get = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${service.baseUrl}${path}`, init);
      return { status: res.status, body: await res.json() };
    };
    const before = await get("/models");
    assert.deepEqual(before.body.versions.length, 1);
    await copyAsVersion(join(root, "artifacts"), join(modelsDir, "c1"), "challenger-1");
    service.signal("SIGHUP");
    await service.waitForLine(/SIGHUP: model directories rescanned: loaded challenger-1/);
    const promoted = await get("/models/challenger-1/promote", { method: "POST" });
    assert.equal(promoted.status, 200);
    assert.equal(promoted.body.champion, "challenger-1");
    const scored = await get("/predict", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ features }),
    });
    assert.equal(scored.body.model_version, "challenger-1");
    const status = await service.stop("SIGTERM");
    assert.equal(status.code, 0, service.output());
  } finally {
    await service.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});
