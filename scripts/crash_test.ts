/**
 * The short crash test (2 kills) runs the real service as a subprocess:
 * needs --allow-run=deno and --allow-net=127.0.0.1 besides read/write of the
 * repository and /tmp.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openStore } from "../api/store/mod.ts";
import { testRecord } from "../api/testing/temp_store.ts";
import { formatReport, parseCrashTestArgs, passed, runCrashTest } from "./crash.ts";
import { verifyLog } from "./crash/verify.ts";

Deno.test("SIGKILL mid-load, twice: every acknowledged item is in the log and the file is sound", async () => {
  const report = await runCrashTest({
    kills: 2,
    durationPerRunMs: 1000,
    concurrency: 8,
    maxBatchRows: 10,
  });
  const table = formatReport(report);
  assert.equal(report.kills, 2, table);
  for (const run of report.runs) {
    assert.ok(run.acknowledged > 0, `load was acknowledged before the kill\n${table}`);
  }
  // At least one kill must land with requests in flight, or the test proves
  // nothing; on a loaded machine a single run may miss, so count them all.
  const cut = report.runs.reduce((n, run) => n + run.failed, 0);
  assert.ok(cut > 0, `the kills cut requests off mid-flight\n${table}`);
  assert.deepEqual(report.lost, [], table);
  assert.equal(report.found, report.acknowledged, table);
  assert.equal(report.duplicates, 0, table);
  assert.equal(report.integrity, "ok", table);
  assert.ok(report.restartedCleanly, table);
  assert.ok(passed(report));
});

Deno.test("the verifier reports an acknowledged id missing from the log as lost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_crash_verify_" });
  const path = join(dir, "log.sqlite");
  const store = await openStore(path, { synchronous: "NORMAL" });
  const record = (request_id: string, client_id = "") => testRecord(request_id, { client_id });
  await store.append({
    rows: [record("p-1"), record("p-2:0"), record("p-2:0", "k2"), record("p-9"), record("q")],
  });
  await store.close();
  const v = verifyLog(path, ["p-1", "p-2:0", "p-3"], "p-");
  assert.deepEqual(v.lost, ["p-3"]);
  assert.equal(v.found, 2);
  assert.equal(v.duplicates, 1);
  assert.equal(v.loggedNotAcknowledged, 1, "p-9 (q has another prefix)");
  assert.equal(v.integrity, "ok");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("crash-test flags are bounded", () => {
  assert.deepEqual(parseCrashTestArgs(["--kills", "3", "--duration-per-run-ms", "500"]), {
    kills: 3,
    durationPerRunMs: 500,
    concurrency: 16,
    maxBatchRows: 20,
    synchronous: "FULL",
    keep: false,
  });
  assert.throws(() => parseCrashTestArgs(["--kills", "0"]), /--kills/);
  assert.throws(() => parseCrashTestArgs(["--kills", "1000"]), /--kills/);
  assert.throws(() => parseCrashTestArgs(["--synchronous", "OFF"]), /--synchronous/);
});
