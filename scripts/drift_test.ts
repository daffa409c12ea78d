/**
 * `deno task drift` as a subprocess, on temporary databases filled through
 * the real store by the simulator, with the fixture model and a reference
 * sample built from the training CSV.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { writeFixtureModel } from "../api/testing/fixture_model.ts";
import { createTestSchema, POSTGRES_SKIP, schemaUrl } from "../api/testing/temp_store.ts";
import { openStore } from "../api/store/mod.ts";
import { simulateTraffic } from "./simulate.ts";
import type { DriftReport } from "../monitoring/drift_report.ts";
import { writeReferenceSample } from "../monitoring/testing/drift_helpers.ts";
import type { DriftSpec } from "./lib/drift_injection.ts";
import { type DenoRun, runDenoScript } from "../api/testing/run_deno.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "drift_cli_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const artifactsDir = join(dir, "artifacts");
await Deno.mkdir(artifactsDir);
await writeFixtureModel(artifactsDir);
const referencePath = join(dir, "reference.csv");
await writeReferenceSample(referencePath, {
  artifactsDir,
  sourcePath: join(ROOT, "data/credit_data/train.csv"),
});

let dbCount = 0;
async function trafficDb(n: number, drift: DriftSpec[] = []): Promise<string> {
  const dbPath = join(dir, `p${++dbCount}.sqlite`);
  await simulateTraffic({
    n,
    dbPath,
    artifactsDir,
    sourcePath: join(ROOT, "data/credit_data/test.csv"),
    seed: 3,
    startMs: Date.parse("2025-03-01T00:00:00Z"),
    spreadHours: 24,
    drift,
    batchSize: 1000,
  });
  return dbPath;
}

/** Runs the CLI with the permissions of its deno task, narrowed to the temp dir. */
function drift(...args: string[]): Promise<DenoRun> {
  return runDenoScript("scripts/drift.ts", args, {
    permissions: [
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      "--allow-env=DB_PATH,DATABASE_URL,ARTIFACTS_DIR,ALERT_WEBHOOK_URL,ALERT_WEBHOOK_FORMAT,PG*",
    ],
    cwd: ROOT,
  });
}

const common = (db: string, out = join(dir, "report.json")) => [
  "--db",
  db,
  "--artifacts",
  artifactsDir,
  "--reference",
  referencePath,
  "--out",
  out,
];

/** One line on stderr, prefixed, no stack trace. */
function assertOneLineError(run: DenoRun, pattern: RegExp): void {
  const lines = run.stderr.trim().split("\n");
  equal(lines.length, 1, run.stderr);
  match(lines[0], pattern);
  ok(!/\bat .*:\d+:\d+/.test(run.stderr), "no stack trace");
}

const drifted = await trafficDb(2000, [{ kind: "scale", feature: "Income", factor: 2 }]);
const clean = await trafficDb(2000);

Deno.test("drift CLI: --fail-on exits 3 once the verdict reaches the level, 0 below it", async () => {
  const severe = await drift(...common(drifted), "--fail-on", "severe");
  equal(severe.code, 3, severe.stderr);
  match(severe.stderr, /overall verdict severe reaches --fail-on severe/);
  match(severe.stdout, /overall verdict: SEVERE/);
  const noFail = await drift(...common(drifted));
  equal(noFail.code, 0, noFail.stderr);
  const cleanRun = await drift(...common(clean), "--fail-on", "high");
  equal(cleanRun.code, 0, cleanRun.stdout + cleanRun.stderr);
});

Deno.test("drift CLI: writes the JSON report and a summary with one line per feature", async () => {
  const out = join(dir, "nested", "dir", "report.json");
  const run = await drift(...common(drifted, out), "--limit", "500", "--bins", "5");
  equal(run.code, 0, run.stderr);
  const report: DriftReport = JSON.parse(await Deno.readTextFile(out));
  equal(report.window.n_production, 500);
  equal(report.window.limit, 500);
  equal(report.thresholds.bins, 5);
  equal(report.top_psi[0].feature, "Income");
  equal(Object.keys(report.features).length, 13);
  for (const name of Object.keys(report.features)) match(run.stdout, new RegExp(`^${name} `, "m"));
  match(run.stdout, new RegExp(`report written to ${out}`));
});

Deno.test("drift CLI: --since/--until select the window", async () => {
  // 2000 rows over 24 h: rows 1000.. are logged from 12:00.
  const run = await drift(
    ...common(clean),
    "--since",
    "2025-03-01T12:00:00Z",
    "--until",
    "2025-03-01T18:00:00Z",
    "--limit",
    "all",
  );
  equal(run.code, 0, run.stderr);
  const report: DriftReport = JSON.parse(await Deno.readTextFile(join(dir, "report.json")));
  equal(report.window.n_production, 500);
  equal(report.window.since, "2025-03-01T12:00:00.000Z");
  ok((report.window.first_ts as string) >= "2025-03-01T12:00:00.000Z");
  ok((report.window.last_ts as string) < "2025-03-01T18:00:00.000Z");
});

Deno.test("drift CLI: --model-version reads that version's rows against its own artifacts", async () => {
  const version = JSON.parse(await Deno.readTextFile(join(artifactsDir, "model_meta.json")))
    .model_version;
  const out = join(dir, "version_report.json");
  const run = await drift(...common(clean, out), "--model-version", version, "--limit", "all");
  equal(run.code, 0, run.stderr);
  const report: DriftReport = JSON.parse(await Deno.readTextFile(out));
  deepEqual(report.model_versions, { [version]: 2000 });
  equal(report.reference_model_version, version);
  const other = await drift(...common(clean), "--model-version", "v-none");
  equal(other.code, 1);
  assertOneLineError(other, /model v-none scored no rows in the selected window/);
});

Deno.test("drift CLI: too few rows give insufficient_data, which never fails the run", async () => {
  const small = await trafficDb(50, [{ kind: "scale", feature: "Income", factor: 2 }]);
  const run = await drift(...common(small), "--fail-on", "moderate");
  equal(run.code, 0, run.stderr);
  match(run.stdout, /overall verdict: INSUFFICIENT_DATA/);
  const lowered = await drift(...common(small), "--fail-on", "moderate", "--min-rows", "20");
  equal(lowered.code, 3);
});

Deno.test("drift CLI: bad flags exit 2 with a one-line message", async () => {
  for (
    const [args, pattern] of [
      [["--bogus"], /^drift: Unknown option '--bogus'/],
      [["--limit", "0"], /^drift: --limit "0": expected an integer ≥ 1/],
      [["--since", "yesterday"], /^drift: --since "yesterday": expected an ISO 8601/],
      [["--since", "2025-02-01", "--until", "2025-01-01"], /is not before --until/],
      [["--fail-on", "low"], /--fail-on "low": expected moderate, high or severe/],
      [["--bins", "1"], /--bins "1": expected an integer 2\.\.100/],
      [["extra"], /^drift: Unexpected argument 'extra'/],
    ] as const
  ) {
    const run = await drift(...args);
    equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assertOneLineError(run, pattern);
  }
});

Deno.test("drift CLI: a missing or empty database exits 1 with a one-line message", async () => {
  const missing = await drift(...common(join(dir, "none.sqlite")));
  equal(missing.code, 1);
  assertOneLineError(missing, /^drift: .*none\.sqlite: database not found$/);

  const emptyPath = join(dir, "empty.sqlite");
  // Inline writer: this process has loaded onnxruntime-web, which replaces the global Worker.
  await (await openStore(emptyPath)).close();
  const empty = await drift(...common(emptyPath));
  equal(empty.code, 1);
  assertOneLineError(empty, /^drift: .*empty\.sqlite: no predictions logged yet$/);

  const window = await drift(...common(clean), "--since", "2030-01-01");
  equal(window.code, 1);
  assertOneLineError(window, /no predictions in the selected window$/);

  const notDb = join(dir, "not_a_db.sqlite");
  await Deno.writeTextFile(notDb, "hello");
  const garbage = await drift(...common(notDb));
  equal(garbage.code, 1);
  assertOneLineError(garbage, /^drift: .*not_a_db\.sqlite: /);
});

Deno.test("drift CLI: a missing reference or model metadata exits 1 naming the file", async () => {
  const noRef = await drift(...common(clean), "--reference", join(dir, "nope.csv"));
  equal(noRef.code, 1);
  assertOneLineError(noRef, /nope\.csv: reference sample not found$/);
  const noMeta = await drift(...common(clean), "--artifacts", join(dir, "nothing"));
  equal(noMeta.code, 1);
  assertOneLineError(noMeta, /model_meta\.json: file not found/);
});

Deno.test({
  name:
    "drift CLI on PostgreSQL: DATABASE_URL is read, with the task's permissions; no password shown",
  ignore: POSTGRES_SKIP !== undefined,
  async fn() {
    const { schema, drop } = await createTestSchema();
    try {
      // The same traffic as `clean` (same seed), logged to PostgreSQL.
      const url = schemaUrl(schema);
      await simulateTraffic({
        n: 2000,
        dbPath: url,
        artifactsDir,
        sourcePath: join(ROOT, "data/credit_data/test.csv"),
        seed: 3,
        startMs: Date.parse("2025-03-01T00:00:00Z"),
        spreadHours: 24,
        drift: [],
        batchSize: 1000,
      });
      const args = ["--artifacts", artifactsDir, "--reference", referencePath, "--limit", "all"];
      const run = (db: string, out: string, env: Record<string, string> = {}) =>
        runDenoScript("scripts/drift.ts", [...args, "--out", out, ...(db ? ["--db", db] : [])], {
          permissions: [
            `--allow-read=${dir}`,
            `--allow-write=${dir}`,
            "--allow-env=DB_PATH,DATABASE_URL,ARTIFACTS_DIR,PG*",
            "--allow-net=127.0.0.1",
          ],
          cwd: ROOT,
          env,
        });
      const onPg = await run("", join(dir, "pg.json"), { DATABASE_URL: url });
      equal(onPg.code, 0, onPg.stderr);
      const onSqlite = await run(clean, join(dir, "sqlite.json"));
      equal(onSqlite.code, 0, onSqlite.stderr);
      const read = async (f: string) => {
        const { generated_at: _, ...report } = JSON.parse(await Deno.readTextFile(join(dir, f)));
        return report;
      };
      deepEqual(await read("pg.json"), await read("sqlite.json"), "the same report on both");
      const summary = (out: string) =>
        out.replace(/^Drift report, generated .*$/m, "").replace(/report written to .*/, "");
      equal(summary(onPg.stdout), summary(onSqlite.stdout));
      const secret = await run(
        "postgres://scorewatch:s3cret-pw@127.0.0.1:1/audit",
        join(dir, "x.json"),
      );
      equal(secret.code, 1);
      ok(!secret.stderr.includes("s3cret-pw"), secret.stderr);
      assertOneLineError(secret, /^drift: postgres:\/\/scorewatch@127\.0\.0\.1:1\/audit: /);
    } finally {
      await drop();
    }
  },
});

Deno.test("drift CLI: --help prints usage with the exit codes", async () => {
  const run = await drift("--help");
  equal(run.code, 0);
  match(run.stdout, /Exit codes:/);
  match(run.stdout, /3 {2}report written and the overall verdict reaches --fail-on/);
});

Deno.test("--notify sends each new alert once, sharing the alert state with the service", async () => {
  const db = await trafficDb(1000, [{ kind: "scale", feature: "Income", factor: 3 }]);
  const received: { event: string; key: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    received.push({ event: body.event, key: body.alert.key });
    return new Response("ok");
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}/hook`;
    const run = () =>
      runDenoScript("scripts/drift.ts", [...common(db), "--notify", "--webhook", url], {
        permissions: [
          `--allow-read=${dir}`,
          `--allow-write=${dir}`,
          "--allow-env=DB_PATH,ARTIFACTS_DIR,ALERT_WEBHOOK_URL,ALERT_WEBHOOK_FORMAT",
          "--allow-net=127.0.0.1",
        ],
        cwd: ROOT,
      });
    const first = await run();
    equal(first.code, 0, first.stderr);
    ok(received.some((r) => r.event === "firing" && r.key === "feature_drift:Income"));
    ok(received.every((r) => r.event === "firing"));
    match(
      first.stdout,
      new RegExp(`notify: ${received.length} new, 0 resolved; ${received.length} messages sent`),
    );
    const sent = received.length;
    const second = await run();
    equal(second.code, 0, second.stderr);
    equal(received.length, sent, "still active: nothing sent again");
    match(second.stdout, /notify: 0 new, 0 resolved; 0 messages sent/);
    const store = await openStore(db, { readOnly: true });
    try {
      const deliveries = await store.monitor.deliveries.recent(100);
      equal(deliveries.length, sent);
      ok(deliveries.every((d) => d.sender === "cron" && d.ok));
    } finally {
      await store.close();
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("--notify without a webhook is a usage error", async () => {
  const r = await drift("--notify");
  equal(r.code, 2);
  match(r.stderr, /--notify needs a webhook/);
});
