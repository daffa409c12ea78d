/**
 * The measurements of one benchmark run against one server: sequential
 * latency of each scenario, and closed-loop throughput with server-side
 * latency from the `/metrics` histogram (a scrape before and after the run;
 * the difference holds exactly the run's requests).
 *
 * @module
 */
import { runFetchLoad } from "./fetch_load.ts";
import { type LatencySummary, median } from "./latency_summary.ts";
import type { LoadResult } from "./load_types.ts";
import {
  histogramQuantile,
  parseHistogram,
  parseSampleSum,
  subtractHistogram,
} from "./prom_histogram.ts";
import { runSequential, type SequentialResult } from "./sequential.ts";
import { runWrk } from "./wrk.ts";

/** The server histogram `deno task bench` reads. */
export const HTTP_HISTOGRAM = "http_request_duration_seconds";

/** How load is generated; the same for the service and the hello baseline. */
export interface LoadSettings {
  generator: "wrk" | "fetch";
  concurrency: number;
  durationS: number;
  /** wrk threads. */
  wrkThreads: number;
  /** Where wrk's body files go (inside the bench's write permission). */
  workDir: string;
  apiKey?: string;
  /** Paced load: each client pauses this long after each answer (ms). */
  delayMs?: number;
}

/** Count, mean and quantiles of the observations of a histogram during a run. */
export interface HistogramDelta {
  count: number;
  mean: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Server-side latency of a throughput run (ms); `count` = requests answered 200. */
export type ServerLatency = HistogramDelta;

/**
 * What the service's own metrics say about a run: CPU time of the server
 * process, audit-log commits (group commit) and ONNX runs (coalescing).
 */
export interface ServerInternals {
  /** Server process CPU (user + system) per request, µs. */
  cpuUsPerRequest: number | null;
  /** Server process CPU during the run, % of one core. */
  cpuPercent: number | null;
  /** Commit duration (ms) and rows per commit. */
  commitMs: HistogramDelta | null;
  commitRows: HistogramDelta | null;
  /** ONNX run duration (ms) and rows per run. */
  onnxMs: HistogramDelta | null;
  onnxRows: HistogramDelta | null;
}

/** A throughput run of one route. */
export interface ThroughputResult extends LoadResult {
  rowsPerRequest: number;
  rowsPerS: number;
  /** Null when /metrics was not readable (see `serverNote`). */
  server: ServerLatency | null;
  /** Null when /metrics was not readable. */
  internals?: ServerInternals | null;
  serverNote?: string;
}

/** Runs the load with the configured generator. */
export function runLoad(
  url: string,
  bodies: readonly string[],
  s: LoadSettings & { method?: "POST" | "GET" },
) {
  const options = {
    url,
    bodies,
    method: s.method,
    concurrency: s.concurrency,
    durationS: s.durationS,
    apiKey: s.apiKey,
    delayMs: s.delayMs,
  };
  return s.generator === "wrk"
    ? runWrk({ ...options, threads: s.wrkThreads, workDir: s.workDir })
    : runFetchLoad(options);
}

async function scrape(baseUrl: string, apiKey?: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, {
    headers: apiKey ? { "x-api-key": apiKey } : {},
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return text;
}

/**
 * The observations of histogram `name` (series with `labels`, summed)
 * between two scrapes, values × `scale`; null when there were none.
 */
export function histogramBetween(
  before: string,
  after: string,
  name: string,
  options: { labels?: Readonly<Record<string, string>>; scale?: number } = {},
): HistogramDelta | null {
  const scale = options.scale ?? 1;
  const a = parseHistogram(after, name, options.labels);
  if (!a) return null;
  const d = subtractHistogram(a, parseHistogram(before, name, options.labels));
  if (d.count === 0) return null;
  const q = (p: number) => {
    const v = histogramQuantile(p, d);
    return v === null ? null : v * scale;
  };
  return {
    count: d.count,
    mean: (d.sum / d.count) * scale,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
  };
}

/** Server latency (ms) of the 200 answers of `route` between two scrapes. */
export function serverLatencyBetween(
  before: string,
  after: string,
  route: string,
): ServerLatency | null {
  return histogramBetween(before, after, HTTP_HISTOGRAM, {
    labels: { route, status: "200" },
    scale: 1000,
  });
}

/** The service's internals during a run of `requests` requests lasting `durationS`. */
export function serverInternalsBetween(
  before: string,
  after: string,
  run: { requests: number; durationS: number },
): ServerInternals {
  const cpu0 = parseSampleSum(before, "process_cpu_seconds_total");
  const cpu1 = parseSampleSum(after, "process_cpu_seconds_total");
  const cpuS = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
  return {
    cpuUsPerRequest: cpuS !== null && run.requests > 0 ? (cpuS * 1e6) / run.requests : null,
    cpuPercent: cpuS !== null && run.durationS > 0 ? (cpuS / run.durationS) * 100 : null,
    commitMs: histogramBetween(before, after, "audit_log_commit_duration_seconds", { scale: 1000 }),
    commitRows: histogramBetween(before, after, "audit_log_commit_rows"),
    onnxMs: histogramBetween(before, after, "model_inference_duration_seconds", { scale: 1000 }),
    onnxRows: histogramBetween(before, after, "model_inference_batch_rows"),
  };
}

/** Options for {@link measureThroughput}. */
export interface ThroughputOptions {
  baseUrl: string;
  path: string;
  /** Default POST (with `bodies`). */
  method?: "POST" | "GET";
  bodies: readonly string[];
  rowsPerRequest: number;
  /**
   * Route label of the latency histogram (e.g. `POST /predict`). Without it,
   * /metrics is still read for the process CPU time (the hello baseline
   * serves only that).
   */
  metricsRoute?: string;
}

/**
 * A closed-loop run of one route, with the server's latency and internals
 * from /metrics (scraped before and after) when it serves them.
 */
export async function measureThroughput(
  o: ThroughputOptions,
  s: LoadSettings,
): Promise<ThroughputResult> {
  let serverNote: string | undefined;
  const before = await scrape(o.baseUrl, s.apiKey).catch((err) => {
    serverNote = `no server metrics: ${(err as Error).message}`;
    return undefined;
  });
  const load = await runLoad(`${o.baseUrl}${o.path}`, o.bodies, { ...s, method: o.method });
  let server: ServerLatency | null = null;
  let internals: ServerInternals | null = null;
  if (before !== undefined) {
    const after = await scrape(o.baseUrl, s.apiKey);
    internals = serverInternalsBetween(before, after, load);
    if (o.metricsRoute) {
      server = serverLatencyBetween(before, after, o.metricsRoute);
      if (!server) serverNote = "no 200 answers of this route in the histogram";
    }
  }
  return {
    ...load,
    rowsPerRequest: o.rowsPerRequest,
    rowsPerS: load.requestsPerS * o.rowsPerRequest,
    server,
    internals,
    ...(serverNote ? { serverNote } : {}),
  };
}

/** Sequential scenarios of the service. */
export interface SequentialFigures {
  predict: SequentialResult;
  predictExplain: SequentialResult;
  batch: SequentialResult;
  batchExplain: SequentialResult;
}

/** Options for {@link measureSequential}. */
export interface SequentialSettings {
  baseUrl: string;
  n: number;
  batchSize: number;
  predictBodies: readonly string[];
  batchBodies: readonly string[];
  apiKey?: string;
}

/** `/predict`, `/predict?explain=1`, `/predict_batch`, `/predict_batch?explain=1`, n each. */
export async function measureSequential(s: SequentialSettings): Promise<SequentialFigures> {
  const one = (path: string, bodies: readonly string[], rows: number) =>
    runSequential({
      url: `${s.baseUrl}${path}`,
      bodies,
      n: s.n,
      rowsPerRequest: rows,
      apiKey: s.apiKey,
    });
  return {
    predict: await one("/predict", s.predictBodies, 1),
    predictExplain: await one("/predict?explain=1", s.predictBodies, 1),
    batch: await one("/predict_batch", s.batchBodies, s.batchSize),
    batchExplain: await one("/predict_batch?explain=1", s.batchBodies, s.batchSize),
  };
}

/**
 * Median of each figure over throughput rounds (one run: itself); error
 * counts are the totals over the rounds, `internals` those of the run with
 * the median throughput.
 */
export function medianThroughput(runs: readonly ThroughputResult[]): ThroughputResult {
  if (runs.length === 0) throw new RangeError("no runs");
  if (runs.length === 1) return runs[0];
  const med = (pick: (r: ThroughputResult) => number | null | undefined): number =>
    median(runs.map(pick).filter((x): x is number => typeof x === "number"));
  const first = runs[0];
  const byThroughput = [...runs].sort((a, b) => a.requestsPerS - b.requestsPerS);
  const middle = byThroughput[(byThroughput.length - 1) >> 1];
  const lat = (k: keyof LatencySummary & keyof LoadResult["latencyMs"]) =>
    med((r) => r.latencyMs[k]);
  const servers = runs.filter((r) => r.server);
  return {
    ...first,
    durationS: med((r) => r.durationS),
    requests: med((r) => r.requests),
    requestsPerS: med((r) => r.requestsPerS),
    rowsPerS: med((r) => r.rowsPerS),
    statusErrors: runs.reduce((s, r) => s + r.statusErrors, 0),
    socketErrors: runs.reduce((s, r) => s + r.socketErrors, 0),
    latencyMs: {
      min: lat("min"),
      mean: lat("mean"),
      p50: lat("p50"),
      p95: lat("p95"),
      p99: lat("p99"),
      max: lat("max"),
    },
    server: servers.length === 0 ? null : {
      count: med((r) => r.server?.count),
      mean: med((r) => r.server?.mean),
      p50: med((r) => r.server?.p50),
      p95: med((r) => r.server?.p95),
      p99: med((r) => r.server?.p99),
    },
    ...(middle.internals !== undefined ? { internals: middle.internals } : {}),
  };
}
