/**
 * The two-replica crash test at minimal settings: two service processes on
 * a PostgreSQL schema, one SIGKILLed under load, then PostgreSQL itself
 * restarted (this restarts the local cluster: the test suite's other
 * PostgreSQL tests do not run meanwhile). Needs --allow-run=deno,pg_ctlcluster,
 * --allow-read of /etc/postgresql and --allow-net=127.0.0.1.
 */
import assert from "node:assert/strict";
import { POSTGRES_SKIP, TEST_DATABASE_URL } from "../api/testing/temp_store.ts";
import {
  formatReplicaReport,
  parseReplicaCrashArgs,
  problems,
  type ReplicaCrashReport,
  runReplicaCrashTest,
} from "./crash_replicas.ts";

Deno.test({
  name:
    "postgres: two replicas, one SIGKILLed, PostgreSQL restarted: nothing acknowledged is lost, the survivor recovers by itself",
  ignore: POSTGRES_SKIP !== undefined,
  async fn() {
    const report = await runReplicaCrashTest({
      ...parseReplicaCrashArgs(["--db", TEST_DATABASE_URL]),
      loadMs: 600,
      concurrency: 4,
      maxBatchRows: 6,
    });
    const table = formatReplicaReport(report);
    assert.deepEqual(problems(report), [], table);
    assert.equal(report.found, report.acknowledged, table);
    assert.ok(report.survivor.during[503] > 0, `the outage was seen by the survivor\n${table}`);
  },
});

const passing: ReplicaCrashReport = {
  sent: 10,
  acknowledged: 12,
  found: 12,
  lost: [],
  duplicates: 0,
  loggedNotAcknowledged: 1,
  sharedSite: true,
  cutOff: 1,
  outageMs: 900,
  survivor: { before: { 200: 5 }, during: { 200: 2, 503: 3 }, after: { 200: 4 } },
  readyDuringOutage: [200, 503],
  readyAfter: 200,
  restartedCleanly: true,
};

Deno.test("the replica crash verdict: each broken promise is named", () => {
  assert.deepEqual(problems(passing), []);
  const broken: ReplicaCrashReport = {
    ...passing,
    lost: ["x-1"],
    sharedSite: false,
    survivor: { before: { 200: 5, 503: 1 }, during: { 500: 1 }, after: { 503: 2 } },
    readyDuringOutage: [200],
    readyAfter: 503,
  };
  const found = problems(broken).join("\n");
  for (
    const pattern of [
      /1 acknowledged items lost/,
      /not one site/,
      /answered 503 before the outage/,
      /answered 500 during the outage/,
      /answered 503 after the outage/,
      /never answered 200 after/,
      /never said 503 while down/,
      /\/health\/ready answered 503 after/,
    ]
  ) assert.match(found, pattern);
  assert.match(formatReplicaReport(broken), /FAIL$/);
  assert.match(formatReplicaReport(passing), /PASS$/);
});

Deno.test("crash-test:replicas flags are bounded; --restart takes a command", () => {
  const options = parseReplicaCrashArgs(["--restart", "true", "--load-ms", "300"]);
  assert.deepEqual(options.restart, ["true"]);
  assert.equal(options.loadMs, 300);
  assert.throws(() => parseReplicaCrashArgs(["--load-ms", "5", "--restart", "x"]), /--load-ms/);
  assert.throws(() => parseReplicaCrashArgs(["--bogus"]), /bogus/);
});
