/**
 * The real service process: graceful shutdown on SIGTERM.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startService } from "./scripts/lib/service.ts";
import { readModelMeta, typicalApplicant } from "./api/scoring/model_meta.ts";

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
