/**
 * `deno task bench http`: throughput and latency of HTTP variants, each a
 * separate process, all measured in the same run (this 2-core machine is
 * shared and noisy: compare ratios, not absolute numbers).
 *
 *   deno task bench http [--variants a,b,…] [--rounds 3] [--concurrency 32] [--duration 5]
 *     [--batch-size 200] [--env KEY=VALUE …] [--rate R | --half-rate] [--generator auto|wrk|fetch]
 *
 * Every round loads each variant for `--duration` s at `--concurrency`
 * connections (wrk, or fetch clients without wrk), in an order rotated by
 * round so that none always runs first; each figure is the median over the
 * rounds. Ratios are taken within a round and then their median: both sides
 * of a ratio saw the same moment of the machine. The two baselines
 * (`post-hello`, `minimal`) always run. Paced mode (`--rate R`, or
 * `--half-rate`: half of each variant's saturated rate measured first) then
 * loads the service variants below saturation: a closed loop at saturation
 * has latency = connections / throughput (Little's law), so latency goals
 * are checked at a rate the service keeps up with.
 *
 * Server p50/p99 come from the service's `http_request_duration_seconds`
 * histogram (a /metrics scrape before and after each load); CPU µs per
 * request from its `process_cpu_seconds_total` (the baselines serve the same
 * line). With WORKERS > 1 a scrape would see one process only.
 *
 * @module
 */
import { CONFIG, type ConfigVar, type ConfigVarSpec } from "../../api/config.ts";
import { readModelMeta } from "../../api/scoring/model_meta.ts";
import { creditRows } from "../lib/credit_rows.ts";
import {
  parseChoiceFlag,
  parseFlags,
  parseIntegerFlag,
  parseKeyValueFlags,
  parseNumberFlag,
  UsageError,
} from "../lib/flags.ts";
import { ROOT, serviceEnv, spawnChild, startService } from "../lib/service.ts";
import { copyAsVersion } from "../lib/model_copy.ts";
import { join } from "node:path";
import { type LoadResult, pickGenerator, runLoad } from "./load.ts";
import { createSchema, DEFAULT_PG_URL } from "../lib/pg_schema.ts";
import { histogramDelta, sampleSum } from "./prom.ts";
import { fmt, markdownTable, median, type SuiteRun } from "./stats.ts";

/** How a variant's server process starts. */
type Server =
  | { kind: "baseline"; script: "hello.ts" | "minimal.ts" }
  | {
    kind: "service";
    env: Readonly<Record<string, string>>;
    /** Shadows to run: copies of the bundled model under other versions (MODELS_DIR). */
    shadows?: number;
  };

/** One line of the table: a server, and the requests sent to it. */
export interface Variant {
  doc: string;
  server: Server;
  method: "GET" | "POST";
  path: string;
  /** One applicant per request, or `--batch-size` of them. */
  body?: "predict" | "batch";
  /** Route label of the service's latency histogram. */
  route?: string;
  /** Connections, instead of `--concurrency`. */
  concurrency?: number;
}

const HELLO: Server = { kind: "baseline", script: "hello.ts" };
/** A service variant's DATABASE_URL: a fresh schema of the `--pg` server, dropped after the run. */
const PG_SCHEMA = "<fresh schema of --pg>";
const service = (env: Record<string, string> = {}): Server => ({ kind: "service", env });
const PREDICT = {
  server: service(),
  method: "POST",
  path: "/predict",
  body: "predict",
  route: "POST /predict",
} as const;

/**
 * The variants. A new configuration is one line, e.g.
 * `"predict-workers2": { ...PREDICT, doc: "…", server: service({ WORKERS: "2" }) }`.
 */
export const VARIANTS: Readonly<Record<string, Variant>> = {
  "get-hello": { doc: "bare Deno.serve, GET", server: HELLO, method: "GET", path: "/" },
  "post-hello": { ...PREDICT, doc: "bare Deno.serve reading the body (baseline)", server: HELLO },
  minimal: {
    ...PREDICT,
    doc: "minimal handler doing /predict's work (baseline, scripts/bench/minimal.ts)",
    server: { kind: "baseline", script: "minimal.ts" },
  },
  predict: { ...PREDICT, doc: "the service (`deno task start`, defaults): POST /predict" },
  // One request at a time: µs/row is then the end-to-end time of a batch per row.
  batch: {
    ...PREDICT,
    doc: "POST /predict_batch with --batch-size rows, one at a time (end to end)",
    concurrency: 1,
    path: "/predict_batch",
    body: "batch",
    route: "POST /predict_batch",
  },
  explain: {
    ...PREDICT,
    doc: "POST /predict?explain=1 (reason codes)",
    path: "/predict?explain=1",
  },
  "predict-normal": {
    ...PREDICT,
    doc: "POST /predict with DB_SYNCHRONOUS=NORMAL (reference: not power-loss safe)",
    server: service({ DB_SYNCHRONOUS: "NORMAL" }),
  },
  // The service refuses WORKERS > 1 on SQLite (its writers queue for one lock); measured anyway.
  "predict-workers2": {
    ...PREDICT,
    doc: "POST /predict with WORKERS=2 on SQLite (ALLOW_SQLITE_WORKERS=1)",
    server: service({ WORKERS: "2", ALLOW_SQLITE_WORKERS: "1" }),
  },
  // The cost of one shadow: the same model scores every row again, logged beside it.
  "predict-shadow1": {
    ...PREDICT,
    doc: "POST /predict with one shadow (a copy of the model under another version)",
    server: { kind: "service", env: {}, shadows: 1 },
  },
  "predict-pg": {
    ...PREDICT,
    doc: "POST /predict on PostgreSQL (a fresh schema of --pg)",
    server: service({ DATABASE_URL: PG_SCHEMA }),
  },
  "predict-pg-workers2": {
    ...PREDICT,
    doc: "POST /predict on PostgreSQL with WORKERS=2",
    server: service({ DATABASE_URL: PG_SCHEMA, WORKERS: "2" }),
  },
};
const DEFAULT_VARIANTS = ["get-hello", "post-hello", "minimal", "predict", "batch", "explain"];
const BASELINES = ["post-hello", "minimal"];

/** The help text. */
export const USAGE = [
  `deno task bench http [--variants ${DEFAULT_VARIANTS.join(",")}]`,
  "  [--rounds 3] [--concurrency 32] [--duration 5] [--batch-size 200] [--env KEY=VALUE …]",
  "  [--rate R | --half-rate] [--generator auto|wrk|fetch] [--pg postgres://…]",
  "variants (post-hello and minimal always run):",
  ...Object.entries(VARIANTS).map(([name, v]) => `  ${name}: ${v.doc}`),
].join("\n");

function parseHttpFlags(args: readonly string[]) {
  const v = parseFlags(args, {
    variants: { type: "string" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "32" },
    duration: { type: "string", default: "5" },
    "batch-size": { type: "string", default: "200" },
    env: { type: "string", multiple: true, default: [] },
    rate: { type: "string" },
    "half-rate": { type: "boolean", default: false },
    generator: { type: "string", default: "auto" },
    pg: { type: "string", default: DEFAULT_PG_URL },
  });
  const names = v.variants?.split(",").map((s) => s.trim()) ?? DEFAULT_VARIANTS;
  for (const name of names) {
    if (!(name in VARIANTS)) throw new UsageError(`--variants: unknown variant ${name}`);
  }
  if (v.rate !== undefined && v["half-rate"]) {
    throw new UsageError("--rate or --half-rate, not both");
  }
  const env = parseKeyValueFlags("env", v.env);
  try {
    serviceEnv(env); // a name the service does not read is a mistake
  } catch (err) {
    throw new UsageError(`--env: ${(err as Error).message}`);
  }
  // The baselines always run: every line's ratios come from the same run.
  const selected = new Set([...BASELINES, ...names]);
  return {
    variants: Object.keys(VARIANTS).filter((name) => selected.has(name)),
    rounds: parseIntegerFlag("rounds", v.rounds, { min: 1, max: 50 }),
    concurrency: parseIntegerFlag("concurrency", v.concurrency, { min: 1, max: 4096 }),
    durationS: parseNumberFlag("duration", v.duration, { min: 0.1, max: 600 }),
    batchSize: parseIntegerFlag("batch-size", v["batch-size"], { min: 1, max: 1000 }),
    env,
    rate: v.rate === undefined ? undefined : parseNumberFlag("rate", v.rate, { min: 1 }),
    halfRate: v["half-rate"],
    generator: parseChoiceFlag("generator", v.generator, ["auto", "wrk", "fetch"]),
    pgUrl: v.pg,
  };
}

/** A started server of one or more variants. */
interface Running {
  baseUrl: string;
  /** Sent as X-API-Key (scoring and /metrics) when the service runs with keys. */
  apiKey?: string;
  coldStartMs?: number;
  stop(): Promise<Deno.CommandStatus>;
}

async function start(
  server: Server,
  env: Record<string, string>,
  dir: string,
  pgUrl: string,
): Promise<Running> {
  if (server.kind === "service") {
    const settings = { ...env, ...server.env };
    const schema = settings.DATABASE_URL === PG_SCHEMA ? await createSchema(pgUrl, "bench") : null;
    if (schema) settings.DATABASE_URL = schema.url;
    // The shadows' directories live beside the audit log (the service may read there).
    const dbDir = server.shadows ? await Deno.makeTempDir({ prefix: "scorewatch_bench_" }) : "";
    const removeDbDir = () => dbDir && Deno.remove(dbDir, { recursive: true }).catch(() => {});
    try {
      const shadows = await writeShadows(dbDir, server.shadows ?? 0);
      if (shadows.length) settings.MODELS_DIR = join(dbDir, "models");
      const s = await startService({ env: settings, ...(dbDir ? { dbDir } : {}) });
      // An admin key reads /metrics too; a scoring key at least scores.
      const apiKey = (settings.ADMIN_KEYS || settings.API_KEYS)?.split(",")[0].trim() || undefined;
      const stop = async () => {
        const status = await s.stop();
        await schema?.drop();
        await removeDbDir();
        return status;
      };
      try {
        for (const version of shadows) await enableShadow(s.baseUrl, version, apiKey);
      } catch (err) {
        await stop();
        throw err;
      }
      return { baseUrl: s.baseUrl, apiKey, coldStartMs: s.coldStartMs, stop };
    } catch (err) {
      await schema?.drop();
      await removeDbDir();
      throw err;
    }
  }
  const files = server.script === "minimal.ts"
    ? [`--allow-read=${ROOT}artifacts,${ROOT}node_modules,${dir}`, `--allow-write=${dir}`]
    : [];
  const child = spawnChild([
    "deno",
    "run",
    "--allow-net=127.0.0.1",
    ...files,
    `scripts/bench/${server.script}`,
    dir,
  ]);
  try {
    const [, baseUrl] = await child.waitForLine(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    return { baseUrl, stop: () => child.stop() };
  } catch (err) {
    await child.stop("SIGKILL");
    throw err;
  }
}

/** Writes `n` copies of the bundled model under other versions into `<dir>/models`. */
async function writeShadows(dir: string, n: number): Promise<string[]> {
  const { model_version } = await readModelMeta(`${ROOT}artifacts`);
  const versions = Array.from({ length: n }, (_, i) => `${model_version}-shadow${i + 1}`);
  for (const v of versions) await copyAsVersion(`${ROOT}artifacts`, join(dir, "models", v), v);
  return versions;
}

/** `PUT /models/{version}/shadow` (an admin key when the service has keys). */
async function enableShadow(baseUrl: string, version: string, apiKey?: string): Promise<void> {
  const res = await fetch(`${baseUrl}/models/${version}/shadow`, {
    method: "PUT",
    headers: apiKey ? { "x-api-key": apiKey } : {},
  });
  if (!res.ok) throw new Error(`shadow ${version}: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
}

async function scrape(server: Running): Promise<string | null> {
  const headers: Record<string, string> = server.apiKey ? { "x-api-key": server.apiKey } : {};
  const res = await fetch(`${server.baseUrl}/metrics`, { headers }).catch(() => null);
  const text = await res?.text();
  return res?.ok && text !== undefined ? text : null;
}

/** One load of one variant, with what the server says about it. */
interface Measured extends LoadResult {
  cpuUsPerRequest: number | null;
  serverP50Ms: number | null;
  serverP99Ms: number | null;
}

interface Context {
  generator: "wrk" | "fetch";
  concurrency: number;
  durationS: number;
  bodies: Record<"predict" | "batch", string[]>;
  workDir: string;
}

async function measure(
  variant: Variant,
  server: Running,
  ctx: Context,
  delayMs?: number,
): Promise<Measured> {
  const before = await scrape(server);
  const load = await runLoad(ctx.generator, {
    url: server.baseUrl + variant.path,
    method: variant.method,
    bodies: variant.body ? ctx.bodies[variant.body] : [],
    concurrency: variant.concurrency ?? ctx.concurrency,
    durationS: ctx.durationS,
    apiKey: server.apiKey,
    delayMs,
  }, ctx.workDir);
  const after = before === null ? null : await scrape(server);
  const cpu = (text: string | null) =>
    text === null ? null : sampleSum(text, "process_cpu_seconds_total");
  const [cpu0, cpu1] = [cpu(before), cpu(after)];
  const latency = before !== null && after !== null && variant.route
    ? histogramDelta(before, after, "http_request_duration_seconds", {
      labels: { route: variant.route, status: "200" },
      scale: 1000,
    })
    : null;
  return {
    ...load,
    cpuUsPerRequest: cpu0 !== null && cpu1 !== null && load.requests > 0
      ? ((cpu1 - cpu0) * 1e6) / load.requests
      : null,
    serverP50Ms: latency?.p50 ?? null,
    serverP99Ms: latency?.p99 ?? null,
  };
}

/** Round `r`'s order: the list rotated by `r`. */
function rotate<T>(items: readonly T[], r: number): T[] {
  const k = r % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Medians over rounds; ratios are medians of same-round ratios to a baseline. */
function summarise(
  name: string,
  rounds: readonly Record<string, Measured>[],
  rowsPerRequest: number,
) {
  const med = (pick: (m: Measured) => number | null) => median(rounds.map((r) => pick(r[name])));
  const ratio = (base: string) =>
    median(rounds.map((r) => r[base] ? r[name].requestsPerS / r[base].requestsPerS : null));
  const requestsPerS = med((m) => m.requestsPerS);
  return {
    requestsPerS,
    xPostHello: ratio("post-hello"),
    xMinimal: ratio("minimal"),
    clientP50Ms: med((m) => m.p50Ms),
    clientP99Ms: med((m) => m.p99Ms),
    serverP50Ms: med((m) => m.serverP50Ms),
    serverP99Ms: med((m) => m.serverP99Ms),
    cpuUsPerRequest: med((m) => m.cpuUsPerRequest),
    /** Wall time per row at the variant's concurrency (at c = 1: end to end). */
    usPerRow: rowsPerRequest > 1 ? 1e6 / (requestsPerS * rowsPerRequest) : null,
    errors: rounds.reduce((s, r) => s + r[name].errors, 0),
  };
}
type Summary = ReturnType<typeof summarise>;

/** Runs the suite. */
export const run: SuiteRun = async (args, log) => {
  const flags = parseHttpFlags(args);
  const generator = await pickGenerator(flags.generator);
  const rows = await creditRows((await readModelMeta(`${ROOT}artifacts`)).features);
  const batchBodies = Array.from(
    { length: Math.ceil(rows.length / flags.batchSize) },
    (_, k) =>
      JSON.stringify({
        rows: Array.from(
          { length: flags.batchSize },
          (_, i) => rows[(k * flags.batchSize + i) % rows.length],
        ),
      }),
  );
  const workDir = await Deno.makeTempDir({ prefix: "scorewatch_bench_http_" });
  const ctx: Context = {
    generator,
    concurrency: flags.concurrency,
    durationS: flags.durationS,
    bodies: { predict: rows.map((features) => JSON.stringify({ features })), batch: batchBodies },
    workDir,
  };
  const variants = Object.fromEntries(flags.variants.map((name) => [name, VARIANTS[name]]));
  // One process per distinct server: variants of the same server share it.
  const servers = new Map<string, Running>();
  const serverOf = (v: Variant) => servers.get(JSON.stringify(v.server))!;
  const rounds: Record<string, Measured>[] = [];
  const paced: Record<string, Measured>[] = [];
  const exits: number[] = [];
  try {
    for (const v of Object.values(variants)) {
      const key = JSON.stringify(v.server);
      if (!servers.has(key)) {
        log(`http: starting ${v.server.kind === "service" ? "the service" : v.server.script} …`);
        servers.set(key, await start(v.server, flags.env, workDir, flags.pgUrl));
      }
    }
    log(`http: warm-up, then ${flags.rounds} round(s) of ${flags.durationS} s per variant …`);
    const warm = { ...ctx, durationS: Math.min(1, flags.durationS) };
    for (const v of Object.values(variants)) await measure(v, serverOf(v), warm);
    for (let r = 0; r < flags.rounds; r++) {
      const round: Record<string, Measured> = {};
      for (const name of rotate(flags.variants, r)) {
        round[name] = await measure(variants[name], serverOf(variants[name]), ctx);
        log(`http: round ${r + 1}: ${name} ${fmt(round[name].requestsPerS)} req/s`);
      }
      rounds.push(round);
    }
    const saturated = Object.fromEntries(flags.variants.map((name) => [
      name,
      summarise(name, rounds, variants[name].body === "batch" ? flags.batchSize : 1),
    ]));
    const pacedNames = flags.variants.filter((name) => variants[name].server.kind === "service");
    const targetRate = (name: string) => flags.rate ?? saturated[name].requestsPerS / 2;
    if (flags.rate !== undefined || flags.halfRate) {
      for (let r = 0; r < flags.rounds; r++) {
        const round: Record<string, Measured> = {};
        for (const name of rotate(pacedNames, r)) {
          // Each connection pauses c / rate on average after each answer.
          const delayMs = ((variants[name].concurrency ?? flags.concurrency) * 1000) /
            targetRate(name);
          round[name] = await measure(variants[name], serverOf(variants[name]), ctx, delayMs);
          log(`http: paced round ${r + 1}: ${name} ${fmt(round[name].requestsPerS)} req/s`);
        }
        paced.push(round);
      }
    }
    const pacedSummary = Object.fromEntries(
      paced.length ? pacedNames.map((name) => [name, summarise(name, paced, 1)]) : [],
    );
    const coldStartMs = [...servers.values()].find((s) => s.coldStartMs)?.coldStartMs ?? null;
    // The baselines end on SIGTERM (143); the service must shut down cleanly (0).
    for (const s of servers.values()) {
      const { code } = await s.stop();
      if (s.coldStartMs !== undefined) exits.push(code);
    }
    servers.clear();
    // Keys passed with --env stay out of the JSON file.
    const secret = (name: string) =>
      (CONFIG[name as ConfigVar] as ConfigVarSpec | undefined)?.secret;
    const env = Object.entries(flags.env).map(([k, v]) => [k, secret(k) ? "<redacted>" : v]);
    const settings = { ...flags, env: Object.fromEntries(env), generator };
    return {
      json: {
        settings,
        cold_start_ms: coldStartMs,
        service_exit_codes: exits,
        variants: Object.fromEntries(
          flags.variants.map((name) => [name, {
            ...variants[name],
            summary: saturated[name],
            paced: pacedSummary[name] ?? null,
            rounds: rounds.map((r) => r[name]),
          }]),
        ),
      },
      markdown: report(settings, saturated, pacedSummary, targetRate, coldStartMs),
    };
  } finally {
    for (const s of servers.values()) await s.stop().catch(() => {});
    await Deno.remove(workDir, { recursive: true });
  }
};

function report(
  s: ReturnType<typeof parseHttpFlags> & { generator: string },
  saturated: Record<string, Summary>,
  paced: Record<string, Summary>,
  targetRate: (name: string) => number,
  coldStartMs: number | null,
): string {
  const cells = (x: Summary) => [
    fmt(x.clientP50Ms),
    fmt(x.clientP99Ms),
    fmt(x.serverP50Ms),
    fmt(x.serverP99Ms),
    fmt(x.cpuUsPerRequest),
  ];
  const latency = [
    "client p50 ms",
    "client p99 ms",
    "server p50 ms",
    "server p99 ms",
    "CPU µs/req",
  ];
  const lines = [
    `## http: ${s.generator}, ${s.durationS} s × ${s.rounds} round(s), median` +
    (coldStartMs === null ? "" : `; service cold start ${fmt(coldStartMs)} ms`),
    "",
    markdownTable(
      ["variant", "c", "req/s", "× post-hello", "× minimal", ...latency, "µs/row", "errors"],
      Object.entries(saturated).map(([name, x]) => [
        name,
        String(VARIANTS[name].concurrency ?? s.concurrency),
        fmt(x.requestsPerS),
        fmt(x.xPostHello),
        fmt(x.xMinimal),
        ...cells(x),
        fmt(x.usPerRow),
        String(x.errors),
      ]),
    ),
  ];
  if (Object.keys(paced).length) {
    lines.push(
      "",
      `### paced (${s.rate === undefined ? "half the saturated rate" : `${s.rate} req/s`})`,
      "",
      markdownTable(
        ["variant", "target req/s", "req/s", ...latency, "errors"],
        Object.entries(paced).map(([name, x]) => [
          name,
          fmt(targetRate(name)),
          fmt(x.requestsPerS),
          ...cells(x),
          String(x.errors),
        ]),
      ),
    );
  }
  const goals = issueGoals(saturated, paced, s);
  if (goals.length) {
    lines.push("", markdownTable(["goal (issue 19)", "measured", "met"], goals));
  }
  return lines.join("\n");
}

/** The hot-path goals of issue 19, for the variants this run measured. */
function issueGoals(
  saturated: Record<string, Summary>,
  paced: Record<string, Summary>,
  s: { concurrency: number; batchSize: number; rate?: number },
): string[][] {
  const rows: [string, number | null | undefined, boolean][] = [];
  const { predict, batch } = saturated;
  if (predict) {
    rows.push(
      ["/predict ≥ 0.3× post-hello", predict.xPostHello, predict.xPostHello >= 0.3],
      ["/predict within 25% of minimal (≥ 0.75×)", predict.xMinimal, predict.xMinimal >= 0.75],
      [
        `/predict server p99 ≤ 10 ms, saturated at c = ${s.concurrency}`,
        predict.serverP99Ms,
        predict.serverP99Ms <= 10,
      ],
    );
  }
  if (paced.predict && s.rate === undefined) {
    const p50 = paced.predict.serverP50Ms;
    rows.push(["/predict server p50 ≤ 1 ms at half the saturated rate", p50, p50 <= 1]);
  }
  if (batch && s.batchSize === 200) {
    rows.push([
      "/predict_batch of 200 rows ≤ 15 µs/row end to end",
      batch.usPerRow,
      (batch.usPerRow ?? Infinity) <= 15,
    ]);
  }
  return rows.map(([goal, value, met]) => [goal, fmt(value), met ? "yes" : "no"]);
}
