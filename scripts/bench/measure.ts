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
import { histogramQuantile, parseHistogram, subtractHistogram } from "./prom_histogram.ts";
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
}

/** Server-side latency of a throughput run, from the histogram (ms). */
export interface ServerLatency {
  /** Requests with status 200 observed during the run. */
  count: number;
  mean: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** A throughput run of one route. */
export interface ThroughputResult extends LoadResult {
  rowsPerRequest: number;
  rowsPerS: number;
  /** Null when /metrics was not readable (see `serverNote`). */
  server: ServerLatency | null;
  serverNote?: string;
}

/** Runs the load with the configured generator. */
export function runLoad(url: string, bodies: readonly string[], s: LoadSettings) {
  const options = {
    url,
    bodies,
    concurrency: s.concurrency,
    durationS: s.durationS,
    apiKey: s.apiKey,
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

/** Server latency (ms) of the requests observed between two scrapes. */
export function serverLatencyBetween(
  before: string,
  after: string,
  labels: { route: string; status?: string },
): ServerLatency | null {
  const wanted = { route: labels.route, status: labels.status ?? "200" };
  const a = parseHistogram(after, HTTP_HISTOGRAM, wanted);
  if (!a) return null;
  const d = subtractHistogram(a, parseHistogram(before, HTTP_HISTOGRAM, wanted));
  if (d.count === 0) return null;
  const ms = (q: number) => {
    const v = histogramQuantile(q, d);
    return v === null ? null : v * 1000;
  };
  return {
    count: d.count,
    mean: (d.sum / d.count) * 1000,
    p50: ms(0.5),
    p95: ms(0.95),
    p99: ms(0.99),
  };
}

/** Options for {@link measureThroughput}. */
export interface ThroughputOptions {
  baseUrl: string;
  path: string;
  bodies: readonly string[];
  rowsPerRequest: number;
  /** Route label of the histogram (e.g. `POST /predict`); none for the hello baseline. */
  metricsRoute?: string;
}

/** A closed-loop run of one route, with server latency when the server has /metrics. */
export async function measureThroughput(
  o: ThroughputOptions,
  s: LoadSettings,
): Promise<ThroughputResult> {
  let before: string | undefined;
  let serverNote: string | undefined;
  if (o.metricsRoute) {
    before = await scrape(o.baseUrl, s.apiKey).catch((err) => {
      serverNote = `no server latency: ${(err as Error).message}`;
      return undefined;
    });
  }
  const load = await runLoad(`${o.baseUrl}${o.path}`, o.bodies, s);
  let server: ServerLatency | null = null;
  if (before !== undefined && o.metricsRoute) {
    const after = await scrape(o.baseUrl, s.apiKey);
    server = serverLatencyBetween(before, after, { route: o.metricsRoute });
    if (!server) serverNote = "no 200 answers of this route in the histogram";
  }
  return {
    ...load,
    rowsPerRequest: o.rowsPerRequest,
    rowsPerS: load.requestsPerS * o.rowsPerRequest,
    server,
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
 * counts are the totals over the rounds.
 */
export function medianThroughput(runs: readonly ThroughputResult[]): ThroughputResult {
  if (runs.length === 0) throw new RangeError("no runs");
  if (runs.length === 1) return runs[0];
  const med = (pick: (r: ThroughputResult) => number | null | undefined): number =>
    median(runs.map(pick).filter((x): x is number => typeof x === "number"));
  const first = runs[0];
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
  };
}
