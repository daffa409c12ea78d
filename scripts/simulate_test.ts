import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { allRows } from "../api/testing/temp_store.ts";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { readCsvFile, tableToFeatures } from "../api/scoring/feature_csv.ts";
import {
  FIXTURE_FEATURES,
  fixtureLogOdds,
  writeFixtureModel,
} from "../api/testing/fixture_model.ts";
import { sigmoid } from "../api/scoring/tree_ensemble.ts";
import { openStore, type StoredPrediction } from "../api/store/mod.ts";
import { UsageError } from "./lib/flags.ts";
import { DriftSpecError } from "./lib/drift_injection.ts";
import { parseSimulateArgs, type SimulateOptions, simulateTraffic } from "./simulate.ts";
import { runDenoScript } from "../api/testing/run_deno.ts";
import { writeReferenceSample } from "../monitoring/testing/drift_helpers.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "simulate_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const artifactsDir = join(dir, "artifacts");
await Deno.mkdir(artifactsDir);
await writeFixtureModel(artifactsDir, { threshold: 0.3 });
// The model's reference sample: the default source of simulated applications.
await writeReferenceSample(join(artifactsDir, "reference_sample.csv"), {
  artifactsDir,
  sourcePath: join(ROOT, "data/credit_data/train.csv"),
});

const NOW = new Date("2025-05-01T12:00:00Z");
const context = { env: (_: string) => undefined, now: () => NOW };

Deno.test("parseSimulateArgs: defaults, environment and repeated drift flags", () => {
  const d = parseSimulateArgs([], context);
  equal(d.n, 1000);
  equal(d.dbPath, "data/predictions.sqlite");
  equal(d.artifactsDir, "artifacts");
  equal(d.sourcePath, null, "the model's own reference sample");
  equal(d.seed, 42);
  equal(d.spreadHours, 24);
  equal(d.startMs, NOW.getTime() - 24 * 3_600_000); // the rows end now
  deepEqual(d.drift, []);
  const env = parseSimulateArgs([], {
    env: (n) => ({ DB_PATH: "/x/db.sqlite", ARTIFACTS_DIR: "/x/art" })[n],
    now: () => NOW,
  });
  equal(env.dbPath, "/x/db.sqlite");
  equal(env.artifactsDir, "/x/art");
  const o = parseSimulateArgs([
    "--n=50",
    "--start=2025-01-01",
    "--spread-hours=2",
    "--scale=Income=1.5",
    "--scale=Age=2",
    "--missing=Income=0.3",
    "--shift=Home=rent:0.5",
  ], context);
  equal(o.n, 50);
  equal(o.startMs, Date.parse("2025-01-01T00:00:00Z"));
  deepEqual(o.drift.map((s) => `${s.kind}:${s.feature}`), [
    "scale:Income",
    "scale:Age",
    "missing:Income",
    "shift:Home",
  ]);
});

Deno.test("parseSimulateArgs: bad flags and specs fail with one-line usage errors", () => {
  throws(() => parseSimulateArgs(["--n", "0"], context), UsageError);
  throws(() => parseSimulateArgs(["--start", "noon"], context), /--start "noon"/);
  throws(() => parseSimulateArgs(["--spread-hours", "-2"], context), UsageError);
  throws(() => parseSimulateArgs(["--nope"], context), UsageError);
  throws(() => parseSimulateArgs(["--scale", "Income"], context), DriftSpecError);
  throws(() => parseSimulateArgs(["--shift", "Home=0.5"], context), DriftSpecError);
});

function options(dbPath: string, extra: Partial<SimulateOptions> = {}): SimulateOptions {
  return {
    n: 2500,
    dbPath,
    artifactsDir,
    sourcePath: join(ROOT, "data/credit_data/test.csv"),
    seed: 9,
    startMs: Date.parse("2025-01-01T00:00:00Z"),
    spreadHours: 10,
    drift: [],
    outcomes: 0,
    labelNoise: 0,
    batchSize: 1000,
    ...extra,
  };
}

async function readAll(dbPath: string): Promise<StoredPrediction[]> {
  const store = await openStore(dbPath, { readOnly: true });
  try {
    return await allRows(store);
  } finally {
    await store.close();
  }
}

Deno.test("simulateTraffic: scored rows through the store, spread evenly in time", async () => {
  const dbPath = join(dir, "plain.sqlite");
  const result = await simulateTraffic(options(dbPath));
  deepEqual(result, { rows: 2500, modelVersion: "fixture-0001" });
  const rows = await readAll(dbPath);
  equal(rows.length, 2500);
  equal(rows[0].ts_utc, "2025-01-01T00:00:00.000Z");
  equal(rows[1].ts_utc, "2025-01-01T00:00:14.400Z"); // 10 h / 2500
  ok(rows.every((r, i) => i === 0 || r.ts_utc > rows[i - 1].ts_utc));
  ok(rows[2499].ts_utc < "2025-01-01T10:00:00.000Z");
  for (const r of rows) {
    const features = JSON.parse(r.input_json);
    equal(Object.keys(features).length, 13);
    // Real scoring: the fixture's closed-form probability (float32 precision).
    ok(Math.abs(r.proba_default - sigmoid(fixtureLogOdds(features))) < 1e-6);
    equal(r.decision, r.proba_default >= 0.3 ? 1 : 0);
    equal(r.threshold, 0.3);
    equal(r.model_version, "fixture-0001");
    match(r.request_id, /^sim-[0-9a-f]{8}-\d{9}$/);
    ok(r.latency_ms >= 0.5);
  }
});

Deno.test("simulateTraffic: same seed, same rows; --scale multiplies the feature", async () => {
  const a = await readAll(await run("a.sqlite", []));
  const b = await readAll(await run("b.sqlite", []));
  deepEqual(a.map((r) => r.input_json), b.map((r) => r.input_json));
  // --scale draws no random numbers: same applications, Income doubled.
  const scaled = await readAll(
    await run("c.sqlite", [{
      kind: "scale",
      feature: "Income",
      factor: 2,
    }]),
  );
  scaled.forEach((r, i) => {
    const before = JSON.parse(a[i].input_json).Income;
    equal(JSON.parse(r.input_json).Income, before === null ? null : before * 2);
  });
  async function run(name: string, drift: SimulateOptions["drift"]): Promise<string> {
    const dbPath = join(dir, name);
    await simulateTraffic(options(dbPath, { n: 300, drift }));
    return dbPath;
  }
});

Deno.test("simulateTraffic: a drift spec that does not fit the schema is a DriftSpecError", async () => {
  let error: unknown;
  try {
    await simulateTraffic(options(join(dir, "bad.sqlite"), {
      drift: [{ kind: "scale", feature: "Home", factor: 2 }],
    }));
  } catch (err) {
    error = err;
  }
  ok(error instanceof DriftSpecError);
  match((error as Error).message, /Home is categorical/);
});

function simulate(...args: string[]) {
  return runDenoScript("scripts/simulate.ts", args, {
    permissions: [
      `--allow-read=${ROOT}data,${ROOT}node_modules,${dir}`,
      `--allow-write=${dir}`,
      "--allow-env=DB_PATH,ARTIFACTS_DIR",
    ],
    cwd: ROOT,
  });
}

Deno.test("simulate CLI: exit 0 when done, 2 on bad usage, 1 on errors, one-line messages", async () => {
  const db = join(dir, "cli.sqlite");
  const ok0 = await simulate("--n", "120", "--db", db, "--artifacts", artifactsDir);
  equal(ok0.code, 0, ok0.stderr);
  match(ok0.stdout, /^wrote 120 predictions \(model fixture-0001\) to /);
  const usage = await simulate("--n", "abc");
  equal(usage.code, 2);
  equal(usage.stderr.trim(), 'simulate: --n "abc": expected an integer ≥ 1 (see --help)');
  const spec = await simulate("--db", db, "--artifacts", artifactsDir, "--shift", "Home=boat:0.5");
  equal(spec.code, 2);
  match(spec.stderr.trim(), /^simulate: --shift: Home has no level "boat" \(levels: .*\)$/);
  const missing = await simulate("--db", db, "--artifacts", join(dir, "none"));
  equal(missing.code, 1);
  match(
    missing.stderr.trim(),
    /^simulate: cannot read model artifact .*model_meta\.json: file not found$/,
  );
});

Deno.test("simulateTraffic --outcomes records the source rows' labels through the store", async () => {
  const dbPath = join(dir, "outcomes.sqlite");
  await simulateTraffic(options(dbPath, { n: 400, outcomes: 1 }));
  const table = await readCsvFile(join(ROOT, "data/credit_data/test.csv"));
  const specs = FIXTURE_FEATURES;
  const labelOf = new Map(
    tableToFeatures(table, specs).map((f, i) => [JSON.stringify(f), table.records[i].Status]),
  );
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const joined = db.prepare(
      `SELECT p.input_json, o.outcome, o.observed_at >= p.ts_utc AS after
         FROM predictions p JOIN outcomes o USING (request_id)`,
    ).all() as { input_json: string; outcome: string; after: number }[];
    equal(joined.length, 400, "every row has its outcome");
    for (const r of joined) {
      // Rows are drawn from test.csv, so the outcome is that row's label.
      const canonical = JSON.stringify(
        Object.fromEntries(specs.map((f) => [f.name, JSON.parse(r.input_json)[f.name]])),
      );
      const status = labelOf.get(canonical);
      ok(status !== undefined);
      equal(r.outcome, status === "bad" ? "default" : "repaid");
      equal(r.after, 1);
    }
  } finally {
    db.close();
  }
});

Deno.test("simulateTraffic --label-noise flips the recorded outcomes", async () => {
  const clean = join(dir, "clean.sqlite");
  const noisy = join(dir, "noisy.sqlite");
  await simulateTraffic(options(clean, { n: 300, outcomes: 1 }));
  await simulateTraffic(options(noisy, { n: 300, outcomes: 1, labelNoise: 1 }));
  const outcomes = (path: string) => {
    const db = new DatabaseSync(path, { readOnly: true });
    const rows = db.prepare(
      "SELECT o.outcome FROM predictions p JOIN outcomes o USING (request_id) ORDER BY p.id",
    ).all() as { outcome: string }[];
    db.close();
    return rows.map((r) => r.outcome);
  };
  const a = outcomes(clean);
  const b = outcomes(noisy);
  equal(a.length, 300);
  ok(a.every((o, i) => o !== b[i]), "noise 1 flips every label");
});
