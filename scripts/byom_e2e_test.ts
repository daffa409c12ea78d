/**
 * "Bring your own model", end to end, with a model that shares nothing with
 * the bundled one: the fixtures' consumer-loan model (XGBoost JSON, 9 raw
 * features — none of credit_data's — with ordinal codes for sub_grade A1…G5
 * and term, one-hot home_ownership and purpose; target loan_status).
 *
 * `deno task import-model` → the real service process on that directory
 * (the `start` task's own command and permissions) → `/openapi.json` →
 * `/predict` with reasons, `/predict_batch`, `/feedback`, a refused level →
 * every site page, including the scoring form → `deno task drift` →
 * `deno task score-file` → `deno task simulate` (with outcomes) → drift again,
 * now with realised performance. Every task runs with its deno.json command,
 * widened only to the test's temporary directory.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readCsvFile } from "../api/scoring/feature_csv.ts";
import { runDenoScript } from "../api/testing/run_deno.ts";
import { readTaskArgv, startService } from "./lib/service.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const FIXTURE = join(ROOT, "api/scoring/testdata/models/second_model");
const FEATURES = [
  "loan_amnt",
  "term",
  "int_rate",
  "sub_grade",
  "emp_length",
  "home_ownership",
  "annual_inc",
  "dti",
  "purpose",
];

/** Runs `deno task <name>` as deno.json defines it, widened to `dir`; returns code and output. */
async function task(name: string, dir: string, args: string[], env: Record<string, string> = {}) {
  const argv = await readTaskArgv(name, dir, { env });
  const out = await new Deno.Command(argv[0], {
    args: [...argv.slice(1), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Raw rows of a CSV as the API receives them (numbers as numbers, NA as null). */
async function apiRows(path: string, numeric: Set<string>) {
  const table = await readCsvFile(path);
  return table.records.map((r) =>
    Object.fromEntries(FEATURES.map((f) => {
      const v = r[f] ?? null;
      return [f, v === null ? null : numeric.has(f) ? Number(v) : v];
    }))
  );
}

Deno.test("the second model: imported, served, explained, on every site page, monitored", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "byom_e2e_" });
  const artifacts = join(dir, "loans");
  try {
    await t.step("deno task import-model", async () => {
      const run = await runDenoScript("scripts/import_model.ts", [
        "--out",
        artifacts,
        "--xgboost",
        join(FIXTURE, "model.json"),
        "--data",
        join(FIXTURE, "sample.csv"),
        "--target",
        "loan_status",
        "--positive",
        "Charged Off",
        "--columns",
        join(FIXTURE, "columns.json"),
        "--reasons",
        join(FIXTURE, "reasons.json"),
        "--name",
        "consumer loan model",
      ], { permissions: [`--allow-read=${ROOT},${dir}`, `--allow-write=${dir}`], cwd: ROOT });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /imported xgboost-[0-9a-f]{12} \(consumer loan model\)/);
      assert.match(run.stdout, /19 columns from 9 features/);
      assert.match(run.stdout, /max \|served − XGBoost rule \(float32\)\| = /);
      assert.match(run.stdout, /reasons\s+exact TreeSHAP/);
      assert.match(run.stdout, /ms per explained row/);
    });

    const meta = JSON.parse(await Deno.readTextFile(join(artifacts, "model_meta.json")));
    const numeric = new Set<string>(
      meta.features.filter((f: { type: string }) => f.type === "numeric").map((
        f: { name: string },
      ) => f.name),
    );
    const sample = await apiRows(join(FIXTURE, "sample.csv"), numeric);
    const expected = JSON.parse(await Deno.readTextFile(join(FIXTURE, "expected.json")));
    const service = await startService({
      dbDir: dir,
      env: { ARTIFACTS_DIR: artifacts },
    });
    const dbPath = service.dbPath;
    const base = service.baseUrl;
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    try {
      await t.step(
        "/openapi.json describes the loan features, and nothing of credit_data",
        async () => {
          const doc = await (await fetch(`${base}/openapi.json`)).json();
          const schema = doc.components.schemas.Features;
          assert.deepEqual(Object.keys(schema.properties), FEATURES);
          assert.ok(schema.properties.sub_grade.enum.includes("C4"));
          assert.equal(
            schema.properties.sub_grade.enum.filter((l: unknown) => l !== null).length,
            35,
          );
          assert.ok(!JSON.stringify(doc).includes("Seniority"));
        },
      );

      await t.step(
        "/predict with reasons, /predict_batch, /feedback, a refused level",
        async () => {
          const res = await post("/predict?explain=1", { features: sample[0] });
          assert.equal(res.status, 200);
          const one = await res.json();
          assert.ok(Math.abs(one.proba_default - expected.probabilities[0]) <= 1e-5);
          assert.equal(one.model_version, meta.model_version);
          assert.ok(one.reasons.length > 0);
          for (const r of one.reasons) {
            assert.ok(FEATURES.includes(r.feature), r.feature);
            assert.ok(r.contribution > 0);
          }
          const texts = JSON.parse(await Deno.readTextFile(join(FIXTURE, "reasons.json")));
          assert.equal(one.reasons[0].reason, texts[one.reasons[0].feature]);

          const batch = await post("/predict_batch", { rows: sample.slice(0, 60), explain: true });
          assert.equal(batch.status, 200);
          const { items } = await batch.json();
          items.forEach((item: { proba_default: number }, i: number) =>
            assert.ok(Math.abs(item.proba_default - expected.probabilities[i]) <= 1e-5, `row ${i}`)
          );
          for (const item of items.slice(0, 30)) {
            const fed = await post("/feedback", {
              request_id: item.request_id,
              outcome: item.proba_default > 0.2 ? "default" : "repaid",
              observed_at: new Date().toISOString(),
            });
            assert.equal(fed.status, 201);
          }
          const bad = await post("/predict", { features: { ...sample[0], sub_grade: "Z9" } });
          assert.equal(bad.status, 422);
          assert.match(JSON.stringify(await bad.json()), /\/features\/sub_grade/);
        },
      );

      await t.step("every site page, and the scoring form, work for this model", async () => {
        for (
          const path of [
            "/monitor",
            "/monitor/scores",
            "/monitor/drift",
            "/monitor/performance",
            "/monitor/predictions",
            "/monitor/predictions/1",
            "/monitor/score",
          ]
        ) {
          const res = await fetch(`${base}${path}`);
          const html = await res.text();
          assert.equal(res.status, 200, `${path}: ${html.slice(0, 300)}`);
          assert.ok(!html.includes("Seniority"), path);
        }
        const overview = await (await fetch(`${base}/monitor`)).text();
        assert.match(overview, /data-testid="reason-method">exact TreeSHAP/);
        const detail = await (await fetch(`${base}/monitor/predictions/1`)).text();
        assert.match(detail, /sub_grade|loan_amnt|int_rate|dti/);
        const form = await (await fetch(`${base}/monitor/score`)).text();
        for (const f of FEATURES) assert.ok(form.includes(`name="${f}"`), f);
        const fields = Object.fromEntries(
          Object.entries(sample[1]).map(([k, v]) => [k, v === null ? "" : String(v)]),
        );
        const scored = await fetch(`${base}/monitor/score`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
          body: new URLSearchParams(fields).toString(),
        });
        const result = await scored.text();
        assert.equal(scored.status, 200, result.slice(0, 500));
        assert.match(result, /data-testid="reasons"|data-testid="no-reasons"/);
      });
    } finally {
      const status = await service.stop("SIGTERM");
      assert.equal(status.code, 0, service.output());
    }

    const env = { ARTIFACTS_DIR: artifacts, DB_PATH: dbPath };
    await t.step(
      "deno task drift: the loan features against the model's reference sample",
      async () => {
        const out = join(dir, "drift_report.json");
        const run = await task("drift", dir, ["--out", out, "--min-rows", "20"], env);
        assert.ok(run.code === 0 || run.code === 3, run.stderr);
        const report = JSON.parse(await Deno.readTextFile(out));
        assert.deepEqual(Object.keys(report.features).sort(), [...FEATURES].sort());
      },
    );

    await t.step("deno task score-file", async () => {
      const out = join(dir, "scored.csv");
      const run = await task("score-file", dir, [
        "--in",
        join(FIXTURE, "test.csv"),
        "--out",
        out,
        "--artifacts",
        artifacts,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const scored = await readCsvFile(out);
      assert.equal(scored.records.length, 500);
      assert.ok(scored.columns.includes("proba_default"));
      assert.match(run.stdout, new RegExp(`with ${meta.model_version}`));
    });

    await t.step(
      "deno task simulate with outcomes, then drift with realised performance",
      async () => {
        const simDb = join(dir, "sim.sqlite");
        const run = await task("simulate", dir, [
          "--n",
          "600",
          "--outcomes",
          "0.5",
          "--db",
          simDb,
          "--artifacts",
          artifacts,
          "--scale",
          "annual_inc=0.5",
        ]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /wrote 600 predictions/);
        const out = join(dir, "sim_report.json");
        const drift = await task("drift", dir, ["--db", simDb, "--out", out], {
          ARTIFACTS_DIR: artifacts,
        });
        assert.ok(drift.code === 0 || drift.code === 3, drift.stderr);
        const report = JSON.parse(await Deno.readTextFile(out));
        assert.ok(report.performance.n_labelled > 200, JSON.stringify(report.performance));
        assert.ok(
          report.alerts.some((a: { feature?: string }) => a.feature === "annual_inc"),
          "the injected drift on annual_inc alerts",
        );
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
