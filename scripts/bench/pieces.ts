/**
 * `deno task bench:pieces`: what one request costs, piece by piece, in
 * process (no HTTP), with the real modules of the scoring path: JSON parse,
 * zod validation, canonical features, feature encoding, the ONNX run, the
 * audit-log rows, the SQLite commit (FULL and NORMAL), the answer's JSON,
 * reason codes; and the framework: a bare Hono route against the real app's
 * GET /health/live (Hono + every global middleware) and the real app's
 * POST /predict on an in-memory store (everything but HTTP and the fsync).
 * Each figure is the median over `--reps` rounds of µs per request, for a
 * 1-row /predict and a `--batch`-row /predict_batch body of test.csv rows.
 *
 *   deno task bench:pieces [--reps 15] [--iterations 200] [--batch 200]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { Hono, type MiddlewareHandler } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { timeout } from "hono/timeout";
import { DEFAULT_CONFIG } from "../../api/config.ts";
import { createMetrics } from "../../api/metrics/registry.ts";
import { bodySizeLimit } from "../../api/middleware/body_limit.ts";
import { concurrencyCap } from "../../api/middleware/concurrency_cap.ts";
import { createRequestStats, requestStats } from "../../api/middleware/request_stats.ts";
import { createRequestIdGenerator } from "../../api/http/request_id.ts";
import { canonicalFeatures } from "../../api/predictor.ts";
import { buildSchemas } from "../../api/http/schemas.ts";
import { loadModel } from "../../api/scoring/model.ts";
import { encodeRows, type Features } from "../../api/scoring/feature_vector.ts";
import { createExplainer } from "../../api/scoring/reason_codes.ts";
import { openStore, type PredictionRecord } from "../../api/store/mod.ts";
import { batchBodies, loadBenchRows, predictBodies } from "./bodies.ts";
import { intFlag, makeWorkDir, writeJson } from "./cli_common.ts";
import { median } from "./latency_summary.ts";
import { fmt, markdownTable } from "./report.ts";
import { decide } from "../../api/scoring/model_meta.ts";
import { createApp } from "../../main.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    reps: { type: "string" },
    iterations: { type: "string" },
    batch: { type: "string" },
    out: { type: "string" },
  },
});
const reps = intFlag("reps", values.reps, 15);
const iterations = intFlag("iterations", values.iterations, 200);
const batchSize = intFlag("batch", values.batch, 200);
const out = values.out ?? "outputs/perf/bench_pieces.json";

/** Median µs per call of `fn` over `reps` rounds of `n` calls (after one warm-up round). */
async function time(fn: (i: number) => unknown, n = iterations): Promise<number> {
  const rounds: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const v = fn(i);
      if (v instanceof Promise) await v;
    }
    if (r > 0) rounds.push(((performance.now() - t0) * 1000) / n);
  }
  return median(rounds);
}

/**
 * Like {@link time} for several functions measured round-robin within each
 * round, so slow phases of a noisy machine hit them all alike.
 */
async function timeInterleaved(
  fns: Record<string, (i: number) => unknown>,
  n: number,
): Promise<Record<string, number>> {
  const rounds = new Map<string, number[]>(Object.keys(fns).map((k) => [k, []]));
  for (let r = 0; r <= reps; r++) {
    for (const [name, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const v = fn(i);
        if (v instanceof Promise) await v;
      }
      if (r > 0) rounds.get(name)!.push(((performance.now() - t0) * 1000) / n);
    }
  }
  return Object.fromEntries([...rounds].map(([k, xs]) => [k, median(xs)]));
}

const { rows } = await loadBenchRows();
const model = await loadModel("artifacts");
const meta = model.meta;
const names = meta.features.map((f) => f.name);
const schemas = buildSchemas(meta, { strict: true, maxBatchRows: 1000 });
const explainer = createExplainer(model);
const workDir = await makeWorkDir();
const inlineStore = (name: string, synchronous: "FULL" | "NORMAL", drop: string[] = []) => {
  const store = openStore(join(workDir, `${name}.sqlite`), { synchronous });
  for (const statement of drop) store.db.exec(statement);
  return store;
};
// Ablations of the insert path on copies of the schema: what the per-row minute-rollup
// trigger and the two secondary indexes cost (NORMAL: no fsync in the way).
const DROP_TRIGGER = "DROP TRIGGER predictions_minute_rollup";
const DROP_INDEXES = ["DROP INDEX predictions_ts", "DROP INDEX predictions_request_id"];
const stores = {
  full: inlineStore("full", "FULL"),
  normal: inlineStore("normal", "NORMAL"),
  noTrigger: inlineStore("no_trigger", "NORMAL", [DROP_TRIGGER]),
  bare: inlineStore("bare", "NORMAL", [DROP_TRIGGER, ...DROP_INDEXES]),
};
const memory = openStore(":memory:");
const app = createApp({
  config: DEFAULT_CONFIG,
  model,
  store: memory,
});
const bare = new Hono();
bare.get("/health/live", (c) => c.json({ status: "alive" }));
bare.post("/predict", async (c) => c.json({ ok: await c.req.json() !== null }));

interface Case {
  name: string;
  rows: number;
  bodies: string[];
}
const cases: Case[] = [
  { name: "/predict (1 row)", rows: 1, bodies: predictBodies(rows) },
  {
    name: `/predict_batch (${batchSize} rows)`,
    rows: batchSize,
    bodies: batchBodies(rows, batchSize),
  },
];

const results: Record<string, Record<string, number>> = {};
for (const k of cases) {
  const n = k.rows === 1 ? iterations : Math.max(5, Math.round(iterations / 20));
  const body = (i: number) => k.bodies[i % k.bodies.length];
  const parsed = k.bodies.map((b) => JSON.parse(b));
  const featureRows: Features[][] = parsed.map((p) => p.features ? [p.features] : p.rows);
  const canon = featureRows.map((fr) => fr.map((r) => canonicalFeatures(names, r)));
  const matrices = canon.map((c) => encodeRows(meta.features, c));
  const schema = k.rows === 1 ? schemas.PredictRequest : schemas.PredictBatchRequest;
  const records = (i: number): PredictionRecord[] =>
    canon[i % canon.length].map((features, j) => ({
      ts_utc: new Date().toISOString(),
      request_id: `bench-${i}-${j}`,
      model_version: meta.model_version,
      proba_default: 0.2,
      threshold: meta.threshold,
      decision: decide(0.2, meta.threshold),
      latency_ms: 1,
      input_json: JSON.stringify(features),
      reasons_json: null,
    }));
  const answer = (i: number) =>
    records(i).map((r) => ({
      request_id: r.request_id,
      proba_default: r.proba_default,
      threshold: r.threshold,
      decision: r.decision,
      model_version: r.model_version,
      latency_ms: 1,
    }));
  const post = (
    target: { request: (p: string, init: RequestInit) => Response | Promise<Response> },
    path: string,
  ) =>
  async (i: number) => {
    const res = await target.request(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body(i),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  };
  const path = k.rows === 1 ? "/predict" : "/predict_batch";
  console.error(`pieces: ${k.name} …`);
  results[k.name] = {
    "JSON.parse(body)": await time((i) => JSON.parse(body(i)), n),
    "zod validation (schemas.ts)": await time((i) => schema.parse(parsed[i % parsed.length]), n),
    "canonicalFeatures": await time(
      (i) => featureRows[i % featureRows.length].map((r) => canonicalFeatures(names, r)),
      n,
    ),
    "encodeRows": await time((i) => encodeRows(meta.features, canon[i % canon.length]), n),
    "ONNX run (scoreMatrix)": await time(
      (i) => model.scoreMatrix(matrices[i % matrices.length]),
      n,
    ),
    "log rows (incl. JSON.stringify of input)": await time(records, n),
    "SQLite commit, FULL (inline)": await time(
      (i) => stores.full.append(records(i)),
      Math.min(n, 100),
    ),
    ...await timeInterleaved({
      "SQLite commit, NORMAL (inline)": (i) => stores.normal.append(records(i)),
      "  … without the minute-rollup trigger": (i) => stores.noTrigger.append(records(i)),
      "  … without the trigger and the 2 indexes": (i) => stores.bare.append(records(i)),
    }, n),
    "answer JSON.stringify": await time(
      (i) => JSON.stringify(k.rows === 1 ? answer(i)[0] : { items: answer(i) }),
      n,
    ),
    "reason codes (explainRows)": await time(
      (i) => explainer.explainRows(canon[i % canon.length]),
      Math.max(3, Math.round(n / 4)),
    ),
    "bare Hono POST route (c.req.json, c.json)": await time(post(bare, "/predict"), n),
    "real app POST, :memory: log (app.request)": await time(post(app, path), n),
  };
}
// The global middleware of api/app.ts, added one at a time (same factories, same order) in
// front of a trivial GET route: the increments say what each one costs per request.
const metrics = createMetrics({ model: { type: meta.model_type, version: meta.model_version } });
const stats = createRequestStats(memory.db, { flushIntervalMs: 0 });
const ladder: Array<[string, (h: Hono) => MiddlewareHandler]> = [
  ["+ requestStats (request_minutes aggregator + prom-client)", () =>
    requestStats({
      record(sample) {
        stats.record(sample);
        metrics.record(sample);
      },
    })],
  ["+ startedAt", () => async (c, next) => {
    c.set("startedAt" as never, performance.now() as never);
    await next();
  }],
  [
    "+ requestId (hono/request-id, random ids)",
    () => requestId({ generator: createRequestIdGenerator() }),
  ],
  [
    "+ methodNotAllowed (hono/method-not-allowed)",
    (h) => methodNotAllowed({ app: h, onMethodNotAllowed: (c) => c.text("405", 405) }),
  ],
  ["+ concurrencyCap", () => concurrencyCap({ max: 256 }).middleware],
  ["+ timeout (hono/timeout, a timer per request)", () => timeout(10_000)],
  ["+ bodySizeLimit", () => bodySizeLimit({ maxBytes: 1 << 20 })],
];
const layered = (k: number) => {
  const h = new Hono();
  for (const [, make] of ladder.slice(0, k)) h.use(make(h));
  h.get("/health/live", (c) => c.json({ status: "alive" }));
  return h;
};
const getLive = (h: { request: (p: string) => Response | Promise<Response> }) => async () => {
  const res = await h.request("/health/live");
  await res.arrayBuffer();
};
const ladderResults = await timeInterleaved(
  Object.fromEntries(
    Array.from({ length: ladder.length + 1 }, (_, k) => [
      k === 0 ? "bare Hono GET route" : ladder[k - 1][0],
      getLive(layered(k)),
    ]),
  ),
  iterations * 5,
);
stats.close();
results["middleware ladder (cumulative, GET /health/live)"] = ladderResults;

results["framework (GET, no body)"] = await timeInterleaved({
  "bare Hono GET /health/live": getLive(bare),
  "real app GET /health/live (all global middleware)": getLive(app),
}, iterations * 5);

app.dispose();
for (const store of Object.values(stores)) await store.close();
await memory.close();
await model.release();
await Deno.remove(workDir, { recursive: true });

for (const [name, pieces] of Object.entries(results)) {
  const k = cases.find((c) => c.name === name);
  console.log(`\n## ${name}: µs per request (median of ${reps} rounds)\n`);
  console.log(markdownTable(
    ["piece", "µs/request", ...(k && k.rows > 1 ? ["µs/row"] : [])],
    Object.entries(pieces).map(([piece, us]) => [
      piece,
      fmt(us),
      ...(k && k.rows > 1 ? [fmt(us / k.rows)] : []),
    ]),
  ));
}
await writeJson(out, {
  schema: "scorewatch-bench-pieces/1",
  generated_at: new Date().toISOString(),
  reps,
  iterations,
  batch: batchSize,
  results,
});
console.log(`\nwritten: ${out}`);
