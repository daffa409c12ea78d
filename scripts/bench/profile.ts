/**
 * `deno task bench profile`: where the service's time goes under load. Starts
 * the service (the `start` task) under `deno run --cpu-prof`, loads
 * /predict (or /predict_batch) with `--concurrency` connections for
 * `--duration` s, stops it with SIGINT (its clean shutdown ends in
 * `Deno.exit`, which writes the profile), and reports the top functions by
 * self time and a breakdown by stage in µs per request.
 *
 *   deno task bench profile [--route predict|batch] [--duration 5] [--concurrency 32]
 *     [--batch-size 200] [--top 20] [--interval 250] [--env KEY=VALUE …] [--generator auto|wrk|fetch]
 *
 * Only samples taken while the load ran count (start-up and shutdown are
 * left out). A sample is profiled main-thread time, not CPU time: a commit's
 * fsync wait is "busy" to the profiler, so the commit stage includes it; the
 * process CPU per request (getrusage, from /metrics) is printed beside it.
 * The profiler itself slows the service down (the interval sets how much).
 *
 * @module
 */
import { readModelMeta } from "../../api/scoring/model_meta.ts";
import { creditRows } from "../lib/credit_rows.ts";
import {
  parseChoiceFlag,
  parseFlags,
  parseIntegerFlag,
  parseKeyValueFlags,
  parseNumberFlag,
} from "../lib/flags.ts";
import { ROOT, startService } from "../lib/service.ts";
import { pickGenerator, runLoad } from "./load.ts";
import { sampleSum } from "./prom.ts";
import { fmt, markdownTable, type SuiteRun } from "./stats.ts";

/**
 * The stages, and the rules that assign a sample to one: the first rule
 * matching `<script URL>:<function name>` of the sample's innermost frame that
 * has a URL. V8 builtins and Deno ops have none (`JSON.parse`, node:sqlite's
 * `exec` and `run`, `op_http_…`): they count for their caller, so a commit's
 * `exec("COMMIT")` is commit time and Hono's `JSON.parse` of the body is HTTP.
 * Samples with no URL on the whole stack are V8's own: `(garbage collector)`,
 * and `(program)` — native runtime code, including much of Deno's HTTP I/O.
 */
export const STAGE_RULES: readonly (readonly [string, RegExp])[] = [
  // onnxruntime-web and its WASM, encoding, the batcher and the predictor that drive them
  ["scoring", /onnxruntime-|^wasm:|\/api\/scoring\/|\/api\/micro_batcher\.ts|\/api\/predictor\.ts/],
  // node:sqlite calls made by the store, and the store's own code (rows, rollups)
  ["commit", /\/api\/store\//],
  // zod and the OpenAPI validator glue; Hono's validator middleware
  [
    "validation",
    /\/zod\/|\/@hono\/zod-|\/hono\/dist\/validator\/|\/api\/http\/(schemas|validation_)/,
  ],
  // Hono's Context (c.json, headers) and Deno's Response
  ["response", /\/hono\/dist\/context\.js|^ext:deno_fetch\/23_response\.js/],
  // Deno.serve, Hono's router and compose, the middleware, routes, auth and metrics
  ["http", /\/hono\/|^ext:deno_(http|net|fetch|web|webidl|url)\/|\/api\/|\/main\.ts|prom-client/],
];
const STAGES = [...STAGE_RULES.map(([s]) => s), "gc", "native", "other"];

/** The `.cpuprofile` format `--cpu-prof` writes (times in µs). */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Busy time by stage and by function (self time), ms. */
export interface ProfileBreakdown {
  busyMs: number;
  idleMs: number;
  stages: Record<string, number>;
  functions: { fn: string; stage: string; selfMs: number }[];
}

/**
 * Classifies the samples taken between `fromMs` and `toMs` after the
 * profile's start. `root` (a `file://` URL) is cut from project file names.
 */
export function classifyProfile(
  p: CpuProfile,
  window: { fromMs: number; toMs: number; root: string },
): ProfileBreakdown {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const shortFile = (url: string) =>
    url.replace(window.root, "").replace(/^.*\/node_modules\/(\.deno\/[^/]+\/node_modules\/)?/, "");
  // Per node: its stage, and its name in the function table.
  const seen = new Map<number, { stage: string; fn: string }>();
  const classify = (id: number) => {
    const known = seen.get(id);
    if (known) return known;
    let at: number | undefined = id;
    while (at !== undefined && nodes.get(at)!.callFrame.url === "") at = parent.get(at);
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    const name = functionName || "(anonymous)";
    let found: { stage: string; fn: string };
    if (at === undefined) {
      const stage = name === "(garbage collector)"
        ? "gc"
        : name === "(program)"
        ? "native"
        : "other";
      found = { stage, fn: name };
    } else {
      const caller = nodes.get(at)!.callFrame;
      const key = `${caller.url}:${caller.functionName}`;
      const stage = STAGE_RULES.find(([, rule]) => rule.test(key))?.[0] ?? "other";
      // A builtin or op is named with the file that called it: `exec (from api/store/sql.ts)`.
      const fn = url
        ? `${name} (${shortFile(url)}:${lineNumber + 1})`
        : `${name} (from ${shortFile(caller.url)})`;
      found = { stage, fn };
    }
    seen.set(id, found);
    return found;
  };
  const stages: Record<string, number> = Object.fromEntries(STAGES.map((s) => [s, 0]));
  const self = new Map<string, { stage: string; us: number }>();
  let busyUs = 0;
  let idleUs = 0;
  let at = 0;
  p.samples.forEach((id, i) => {
    at += p.timeDeltas[i];
    // A sample stands for the time until the next one.
    const us = p.timeDeltas[i + 1] ?? 0;
    if (at < window.fromMs * 1000 || at > window.toMs * 1000) return;
    if (nodes.get(id)!.callFrame.functionName === "(idle)") {
      idleUs += us;
      return;
    }
    busyUs += us;
    const { stage, fn } = classify(id);
    stages[stage] += us / 1000;
    const entry = self.get(fn) ?? { stage, us: 0 };
    entry.us += us;
    self.set(fn, entry);
  });
  const functions = [...self].map(([fn, { stage, us }]) => ({ fn, stage, selfMs: us / 1000 }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { busyMs: busyUs / 1000, idleMs: idleUs / 1000, stages, functions };
}

/** The help text. */
export const USAGE =
  `deno task bench profile [--route predict|batch] [--duration 5] [--concurrency 32]
  [--batch-size 200] [--top 20] [--interval 250] [--env KEY=VALUE …] [--generator auto|wrk|fetch]`;

/** Runs the suite. */
export const run: SuiteRun = async (args, log) => {
  const v = parseFlags(args, {
    route: { type: "string", default: "predict" },
    duration: { type: "string", default: "5" },
    concurrency: { type: "string", default: "32" },
    "batch-size": { type: "string", default: "200" },
    top: { type: "string", default: "20" },
    interval: { type: "string", default: "250" },
    env: { type: "string", multiple: true, default: [] },
    generator: { type: "string", default: "auto" },
  });
  const route = parseChoiceFlag("route", v.route, ["predict", "batch"]);
  const durationS = parseNumberFlag("duration", v.duration, { min: 0.1, max: 600 });
  const concurrency = parseIntegerFlag("concurrency", v.concurrency, { min: 1, max: 4096 });
  const batchSize = parseIntegerFlag("batch-size", v["batch-size"], { min: 1, max: 1000 });
  const top = parseIntegerFlag("top", v.top, { min: 1, max: 200 });
  const intervalUs = parseIntegerFlag("interval", v.interval, { min: 50, max: 100_000 });
  const generator = await pickGenerator(
    parseChoiceFlag("generator", v.generator, ["auto", "wrk", "fetch"]),
  );
  const rows = await creditRows((await readModelMeta(`${ROOT}artifacts`)).features);
  const bodies = route === "predict" ? rows.map((features) => JSON.stringify({ features })) : [
    JSON.stringify({ rows: Array.from({ length: batchSize }, (_, i) => rows[i % rows.length]) }),
  ];
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_bench_profile_" });
  try {
    const service = await startService({
      env: parseKeyValueFlags("env", v.env),
      // No V8 code cache: with it, the profiled service crashed at start (exit 139) now and then
      // here, as in nodejs/node#27307 (the profiler meeting code from the cache).
      denoFlags: [
        "--no-code-cache",
        "--cpu-prof",
        `--cpu-prof-dir=${dir}`,
        `--cpu-prof-interval=${intervalUs}`,
      ],
    });
    // The profile's clock starts with the process: spawn ≈ ready − cold start.
    const spawnedAt = performance.now() - service.coldStartMs;
    const path = route === "predict" ? "/predict" : "/predict_batch";
    const scrape = async () =>
      sampleSum(
        await (await fetch(`${service.baseUrl}/metrics`)).text(),
        "process_cpu_seconds_total",
      );
    const measure = async () => {
      log(`profile: ${path} under load, ${durationS} s …`);
      const cpu0 = await scrape();
      const fromMs = performance.now() - spawnedAt;
      const load = await runLoad(generator, {
        url: service.baseUrl + path,
        method: "POST",
        bodies,
        concurrency,
        durationS,
      }, dir);
      const toMs = performance.now() - spawnedAt;
      const cpu1 = await scrape();
      const cpu = cpu0 !== null && cpu1 !== null ? ((cpu1 - cpu0) * 1e6) / load.requests : null;
      return { load, cpu, fromMs, toMs };
    };
    const { load, cpu, fromMs, toMs } = await measure().catch(async (err) => {
      await service.stop("SIGKILL");
      throw err;
    });
    const status = await service.stop("SIGINT");
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
      n.endsWith(".cpuprofile")
    );
    // Deno names a worker's profile `….worker-N.cpuprofile`: the main thread's is the other one.
    const main = files.find((n) => !/\.worker-\d+\./.test(n));
    if (!main) throw new Error(`no profile written (exit ${status.code}):\n${service.output()}`);
    const profile: CpuProfile = JSON.parse(await Deno.readTextFile(`${dir}/${main}`));
    const b = classifyProfile(profile, { fromMs, toMs, root: `file://${ROOT}` });
    const perRequest = (ms: number) => (ms * 1000) / load.requests;
    const markdown = [
      `## profile: ${load.requests} requests at ${
        fmt(load.requestsPerS)
      } req/s under the profiler ` +
      `(${generator}, c = ${concurrency}); busy ${fmt(b.busyMs)} ms, idle ${fmt(b.idleMs)} ms; ` +
      `process CPU ${fmt(cpu)} µs/req (getrusage)`,
      "",
      markdownTable(
        ["stage", "ms", "% of busy", "µs/req"],
        Object.entries(b.stages).map((
          [stage, ms],
        ) => [stage, fmt(ms), fmt((100 * ms) / b.busyMs), fmt(perRequest(ms))]),
      ),
      "",
      markdownTable(
        ["function (self time)", "stage", "ms", "% of busy"],
        b.functions.slice(0, top).map((
          f,
        ) => [f.fn, f.stage, fmt(f.selfMs), fmt((100 * f.selfMs) / b.busyMs)]),
      ),
    ].join("\n");
    return {
      json: {
        settings: { route, durationS, concurrency, batchSize, intervalUs, generator },
        load,
        process_cpu_us_per_request: cpu,
        service_exit_code: status.code,
        busy_ms: b.busyMs,
        idle_ms: b.idleMs,
        stages: Object.fromEntries(
          Object.entries(b.stages).map(([s, ms]) => [s, { ms, us_per_request: perRequest(ms) }]),
        ),
        functions: b.functions.slice(0, 100),
      },
      markdown,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};
