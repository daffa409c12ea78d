/**
 * Prometheus metrics (prom-client): HTTP requests by route and status, model
 * inference counts and durations per model version (champions and shadows), audit-log commits and queue depth, process
 * memory and CPU, and the model's performance on fed-back outcomes.
 *
 * The observer functions are created before the model and the store, and
 * handed to them as event hooks, so every layer reports without knowing about
 * Prometheus.
 *
 * prom-client's default process metrics read `/proc` through Node APIs that
 * report zeros under Deno, so process gauges are collected here from
 * `Deno.memoryUsage()` and `process.cpuUsage()` instead (the CPU share with
 * `process_usage.ts`, which the monitoring site uses too).
 *
 * @module
 */
import process from "node:process";
import client from "prom-client";
import type { MicroBatcherEvents } from "../micro_batcher.ts";
import type { GroupCommitEvents } from "../store/mod.ts";
import { createCpuSampler } from "./process_usage.ts";

/** Latency buckets in seconds: fine below a millisecond, where this service lives. */
const LATENCY_BUCKETS = [
  0.00025,
  0.0005,
  0.001,
  0.002,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
];
const ROW_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

/** One finished HTTP request. */
export interface HttpSample {
  /** `METHOD /route/pattern`, or `(unmatched)`. */
  route: string;
  status: number;
  ms: number;
}

/** A snapshot of model performance for the gauges (null fields are not exported). */
export interface PerformanceGauges {
  realisedRocAuc: number | null;
  labelled: number;
  expectedDefaultRate: number | null;
  realisedDefaultRate: number | null;
  aucAlert: boolean;
}

/** A model version, as the metrics label it. */
export interface ModelLabels {
  type: string;
  version: string;
}

/** Rows of one request by decision. */
export interface Decisions {
  approve: number;
  reject: number;
}

/** Options for {@link createMetrics}. */
export interface MetricsOptions {
  /** Model family and version, for the inference metrics' labels (the start-up champion). */
  model: ModelLabels;
  /** Rows waiting in the audit-log queue, read at scrape time. */
  queueDepth?: () => number;
  /** Model performance, read at scrape time (cache it: it runs SQL). */
  performance?: () => Promise<PerformanceGauges | null>;
}

/** The metrics of one process. */
export interface Metrics {
  readonly registry: client.Registry;
  /** Hooks for the scoring batcher (one ONNX run = one batch). */
  readonly inference: MicroBatcherEvents;
  /** Hooks for the audit-log writer. */
  readonly auditLog: GroupCommitEvents;
  /** Hooks for the scoring batcher of one model version (registry of several). */
  inferenceFor(model: ModelLabels): MicroBatcherEvents;
  /**
   * Counts one scored request (`ok`) or one whose scoring failed, for the
   * champion that scored it (default: the model of {@link MetricsOptions}).
   */
  scored(ok: boolean, decisions?: Decisions, model?: ModelLabels): void;
  /** Counts the rows a shadow scored for one request (or its failure: `null`). */
  shadowScored(model: ModelLabels, decisions: Decisions | null): void;
  /** Records one finished HTTP request. */
  record(sample: HttpSample): void;
  /** The exposition text. */
  render(): Promise<string>;
  /** `Content-Type` of {@link Metrics.render}'s output. */
  readonly contentType: string;
}

/** Creates a registry with every metric of the service. */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new client.Registry();
  const registers = [registry];
  const modelLabels = { model: options.model.type, version: options.model.version };

  const httpRequests = new client.Counter({
    name: "http_requests_total",
    help: "HTTP requests by route pattern and status code.",
    labelNames: ["route", "status"] as const,
    registers,
  });
  const httpDuration = new client.Histogram({
    name: "http_request_duration_seconds",
    help: "Server time per HTTP request, by route pattern and status code.",
    labelNames: ["route", "status"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const inferSuccess = new client.Counter({
    name: "model_infer_request_success_total",
    help: "Scoring requests whose rows were scored.",
    labelNames: ["model", "version"] as const,
    registers,
  });
  const inferFailure = new client.Counter({
    name: "model_infer_request_failure_total",
    help: "Scoring requests whose scoring failed.",
    labelNames: ["model", "version"] as const,
    registers,
  });
  const inferDuration = new client.Histogram({
    name: "model_inference_duration_seconds",
    help: "Duration of one ONNX run (rows of concurrent requests are coalesced into one run).",
    labelNames: ["model", "version"] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const inferRows = new client.Histogram({
    name: "model_inference_batch_rows",
    help: "Rows scored per ONNX run.",
    labelNames: ["model", "version"] as const,
    buckets: ROW_BUCKETS,
    registers,
  });
  const predictions = new client.Counter({
    name: "predictions_total",
    help: "Logged predictions by decision.",
    labelNames: ["model", "version", "decision"] as const,
    registers,
  });
  const shadowPredictions = new client.Counter({
    name: "shadow_predictions_total",
    help: "Rows scored in the shadow (logged, never answered) by decision.",
    labelNames: ["model", "version", "decision"] as const,
    registers,
  });
  const shadowFailures = new client.Counter({
    name: "shadow_failures_total",
    help: "Requests whose rows a shadow failed to score (the answers went out without them).",
    labelNames: ["model", "version"] as const,
    registers,
  });
  const commitDuration = new client.Histogram({
    name: "audit_log_commit_duration_seconds",
    help: "Time from handing a group of log rows to the writer until it committed.",
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const commitRows = new client.Histogram({
    name: "audit_log_commit_rows",
    help: "Log rows per committed transaction (group commit).",
    buckets: ROW_BUCKETS,
    registers,
  });
  const commitFailures = new client.Counter({
    name: "audit_log_commit_failures_total",
    help: "Failed audit-log transactions (each failed every request in its group with 503).",
    registers,
  });
  new client.Gauge({
    name: "audit_log_queue_depth",
    help: "Log rows waiting for the next commit.",
    registers,
    collect() {
      this.set(options.queueDepth?.() ?? 0);
    },
  });
  // Labelled children are looked up once per label set (per model version):
  // hashing label objects on every observation was a measurable share of a
  // request's CPU.
  const childrenOf = (model: ModelLabels) => {
    const labels = { model: model.type, version: model.version };
    return {
      inferDuration: inferDuration.labels(labels),
      inferRows: inferRows.labels(labels),
      success: inferSuccess.labels(labels),
      failure: inferFailure.labels(labels),
      approve: predictions.labels({ ...labels, decision: "approve" }),
      reject: predictions.labels({ ...labels, decision: "reject" }),
      shadowApprove: shadowPredictions.labels({ ...labels, decision: "approve" }),
      shadowReject: shadowPredictions.labels({ ...labels, decision: "reject" }),
      shadowFailure: shadowFailures.labels(labels),
    };
  };
  const children = new Map<string, ReturnType<typeof childrenOf>>();
  const of = (model: ModelLabels) => {
    const key = `${model.type}\n${model.version}`;
    let c = children.get(key);
    if (!c) children.set(key, c = childrenOf(model));
    return c;
  };
  const own = of(options.model);
  const inferenceFor = (model: ModelLabels): MicroBatcherEvents => {
    const c = of(model);
    return {
      onBatch(rows, ms) {
        c.inferDuration.observe(ms / 1000);
        c.inferRows.observe(rows);
      },
    };
  };
  const httpSeries = new Map<
    string,
    {
      count: client.Counter.Internal;
      time: client.Histogram.Internal<"route" | "status">;
    }
  >();
  const seriesOf = (route: string, status: number) => {
    const key = `${status} ${route}`;
    let series = httpSeries.get(key);
    if (!series) {
      const labels = { route, status: String(status) };
      series = { count: httpRequests.labels(labels), time: httpDuration.labels(labels) };
      httpSeries.set(key, series);
    }
    return series;
  };
  registerProcessGauges(registers);
  if (options.performance) registerPerformanceGauges(registers, modelLabels, options.performance);

  return {
    registry,
    inference: inferenceFor(options.model),
    inferenceFor,
    auditLog: {
      onCommit(rows, ms) {
        commitDuration.observe(ms / 1000);
        commitRows.observe(rows);
      },
      onFailure() {
        commitFailures.inc();
      },
    },
    scored(ok, decisions, model) {
      const c = model ? of(model) : own;
      (ok ? c.success : c.failure).inc();
      if (!decisions) return;
      if (decisions.approve) c.approve.inc(decisions.approve);
      if (decisions.reject) c.reject.inc(decisions.reject);
    },
    shadowScored(model, decisions) {
      const c = of(model);
      if (decisions === null) return c.shadowFailure.inc();
      if (decisions.approve) c.shadowApprove.inc(decisions.approve);
      if (decisions.reject) c.shadowReject.inc(decisions.reject);
    },
    record({ route, status, ms }) {
      const series = seriesOf(route, status);
      series.count.inc();
      series.time.observe(ms / 1000);
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

function registerProcessGauges(registers: client.Registry[]): void {
  const startSeconds = Date.now() / 1000 - process.uptime();
  new client.Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident set size.",
    registers,
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
  new client.Gauge({
    name: "process_heap_used_bytes",
    help: "V8 heap in use.",
    registers,
    collect() {
      this.set(Deno.memoryUsage().heapUsed);
    },
  });
  new client.Gauge({
    name: "process_cpu_seconds_total",
    help: "User + system CPU time of the process.",
    registers,
    collect() {
      const { user, system } = process.cpuUsage();
      this.set((user + system) / 1e6);
    },
  });
  const cpuPercent = createCpuSampler();
  new client.Gauge({
    name: "process_cpu_percent",
    help: "CPU use since the previous scrape, % of one core.",
    registers,
    collect() {
      this.set(cpuPercent());
    },
  });
  new client.Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process, Unix seconds.",
    registers,
    collect() {
      this.set(Math.round(startSeconds));
    },
  });
}

function registerPerformanceGauges(
  registers: client.Registry[],
  labels: { model: string; version: string },
  read: () => Promise<PerformanceGauges | null>,
): void {
  const gauge = (name: string, help: string, pick: (p: PerformanceGauges) => number | null) =>
    new client.Gauge({
      name,
      help,
      labelNames: ["model", "version"] as const,
      registers,
      async collect() {
        const p = await read();
        const value = p ? pick(p) : null;
        if (value === null) this.reset();
        else this.set(labels, value);
      },
    });
  gauge(
    "model_realised_roc_auc",
    "ROC AUC on predictions with fed-back outcomes.",
    (p) => p.realisedRocAuc,
  );
  gauge("model_labelled_predictions", "Predictions with a fed-back outcome.", (p) => p.labelled);
  gauge(
    "model_realised_default_rate",
    "Default rate among fed-back outcomes.",
    (p) => p.realisedDefaultRate,
  );
  gauge(
    "model_expected_default_rate",
    "Mean predicted probability of default (CBPE estimate, no labels needed).",
    (p) => p.expectedDefaultRate,
  );
  gauge(
    "model_auc_drop_alert",
    "1 when the realised AUC dropped beyond the alert rule.",
    (p) => p.aucAlert ? 1 : 0,
  );
}
