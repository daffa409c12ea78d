/**
 * The composition root, on top of everything as in Fresh: configuration →
 * model → audit store → the parts the API and the site share → `createApi` +
 * `createSite` → `Deno.serve`. Nothing else builds these parts.
 *
 * Beside the HTTP app it starts the monitoring scheduler ({@link createMonitoring}):
 * scheduled drift reports, their history, alert state and webhook messages.
 *
 * Models: every version of ARTIFACTS_DIR and MODELS_DIR is loaded
 * (`api/scoring/registry.ts`); which one answers and which score in the
 * shadow is state in the database (`api/model_lifecycle.ts`), read at
 * start-up, polled, and shared by worker threads through a BroadcastChannel.
 * SIGHUP rescans the model directories.
 *
 * On SIGTERM/SIGINT the service stops accepting connections, lets in-flight
 * requests finish, stops the scheduler, commits the log queue and closes the
 * database.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { type Api, type ApiConfig, createApi } from "./api/mod.ts";
import { createKeyRing, OPEN_MODE_WARNING } from "./api/auth/api_keys.ts";
import { createSessionCodec } from "./api/auth/session.ts";
import { type Config, loadConfig } from "./api/config.ts";
import { resolveFrameAncestors } from "./api/http/frame_ancestors.ts";
import { createAuthThrottle } from "./api/middleware/auth_throttle.ts";
import { cachedPerformanceGauges } from "./api/metrics/performance_gauges.ts";
import { createMetrics, type Metrics, type PerformanceGauges } from "./api/metrics/registry.ts";
import { createRequestStats, type RequestStats } from "./api/middleware/request_stats.ts";
import { createPredictor } from "./api/predictor.ts";
import { loadModel, type ScoringModel } from "./api/scoring/model.ts";
import { type ModelSource, singleModel } from "./api/scoring/model_set.ts";
import { type ModelLifecycle, openLifecycle } from "./api/model_lifecycle.ts";
import { openModelNews } from "./api/model_news.ts";
import type { ReloadResult } from "./api/model_admin.ts";
import { openRegistry } from "./api/scoring/registry.ts";
import { type DbLocation, resolveDbLocation } from "./api/store/location.ts";
import { openStore, startRetention, type Store } from "./api/store/mod.ts";
import type { ReferenceProfile } from "./monitoring/reference_profile.ts";
import { createSite, serveFavicon, type SiteOptions } from "./site/mod.ts";
import type { ModelMeta } from "./api/scoring/model_meta.ts";
import { type AlertChannel } from "./api/monitor/notifier.ts";
import {
  createMonitorScheduler,
  type MonitorScheduler,
  type SchedulerDeps,
} from "./api/monitor/scheduler.ts";
import { createWebhookSender, webhookPermission } from "./api/monitor/webhook.ts";
import { loadDriftReference } from "./monitoring/run_drift.ts";

/**
 * The configuration the app reads: the API's, plus the keys, the session
 * secret, the failed-authentication budget and who may frame the pages.
 */
export type AppConfig =
  & ApiConfig
  & Pick<
    Config,
    | "apiKeys"
    | "adminKeys"
    | "sessionSecret"
    | "authFailuresPerMinute"
    | "frameAncestors"
    | "spaceHost"
    | "spaceId"
  >;

/** What {@link createApp} is built from. */
export interface AppDeps {
  config: AppConfig;
  /** The champion at start-up: its features define the API's schemas. */
  model: ScoringModel;
  /** The serving models (champion and shadows); default `model` alone (or the lifecycle's). */
  models?: ModelSource;
  /**
   * The model lifecycle (registry of versions, roles in the database): the
   * serving models, the `/models` admin API and its warnings on /health.
   */
  lifecycle?: ModelLifecycle;
  store: Store;
  /** Wall clock (tests pin it). */
  now?: () => Date;
  /** Operator-facing warnings shown on /health and the site (besides open mode). */
  warnings?: readonly string[];
  /**
   * Request statistics recorder; pass one to `close()` it before the store
   * closes (flushes the last counters). Default: one on the store.
   */
  requestStats?: RequestStats;
  /**
   * Prometheus metrics; pass the one whose hooks the model and store report
   * to. Default: one fed by this app's requests only.
   */
  metrics?: Metrics;
  /** Monitoring site options (report file, polling; the reference sample is the model's). */
  site?: SiteOptions;
}

/**
 * Builds the whole application: the parts the API and the site share (keys,
 * sessions, the failed-authentication throttle, frame ancestors, metrics,
 * explainer, the one predictor, request statistics), the API, and the site
 * mounted under `/monitor`.
 */
export function createApp(deps: AppDeps): Api {
  const { config, model, store, now } = deps;
  const ring = createKeyRing({ scoring: config.apiKeys, admin: config.adminKeys });
  // Without SESSION_SECRET, a random secret: a restart logs everyone out.
  const sessions = createSessionCodec({
    secret: config.sessionSecret ? new TextEncoder().encode(config.sessionSecret) : randomBytes(32),
  });
  const authThrottle = createAuthThrottle({
    perMinute: config.authFailuresPerMinute,
    trustProxy: config.trustProxy,
  });
  const frameAncestors = resolveFrameAncestors(config);
  const metrics = deps.metrics ?? createMetrics({
    model: { type: model.meta.model_type, version: model.meta.model_version },
    queueDepth: () => store.queueDepth,
    performance: cachedPerformanceGauges(store, model.meta),
  });
  const explainer = model.explainer;
  const { lifecycle } = deps;
  const models = lifecycle?.source ?? deps.models ?? singleModel(model);
  const labels = (meta: ModelMeta) => ({ type: meta.model_type, version: meta.model_version });
  const predictor = createPredictor({
    models,
    store,
    now,
    onScored: (ok, decisions, champion) => metrics.scored(ok, decisions, labels(champion)),
    onShadowScored: (shadow, decisions) => metrics.shadowScored(labels(shadow), decisions),
    onShadowError: (shadow, err) => {
      metrics.shadowScored(labels(shadow), null);
      console.warn(
        `scorewatch: shadow ${shadow.model_version} failed to score: ${(err as Error).message}`,
      );
    },
  });
  const requestStats = deps.requestStats ??
    createRequestStats(store.requests, { now: now && (() => now().getTime()) });
  const app = createApi({
    config,
    model,
    models,
    admin: lifecycle,
    liveWarnings: lifecycle?.warnings,
    store,
    predictor,
    ring,
    metrics,
    requestStats,
    now,
    warnings: [...(ring.open ? [OPEN_MODE_WARNING] : []), ...(deps.warnings ?? [])],
    authThrottle,
    frameAncestors,
  });
  app.route(
    "/monitor",
    createSite({
      referencePath: model.referencePath,
      ...(lifecycle && {
        models: lifecycle,
        modelArtifacts: (version: string) => {
          const m = lifecycle.model(version);
          return m && { meta: m.meta, referencePath: m.referencePath };
        },
      }),
      ...deps.site,
      meta: model.meta,
      store,
      predictor,
      explainer,
      requestStats,
      now,
      ring,
      sessions,
      authThrottle,
      frameAncestors,
    }),
  );
  app.get("/favicon.ico", serveFavicon);
  return app;
}

/** What {@link createMonitoring} is built from. */
export interface MonitoringDeps {
  config: Pick<
    Config,
    | "artifactsDir"
    | "driftIntervalMinutes"
    | "driftMinNewRows"
    | "driftWindowHours"
    | "alertWebhookUrl"
    | "alertWebhookFormat"
  >;
  meta: ModelMeta;
  store: Store;
  /** The serving model's reference sample (its artifacts directory's). */
  referencePath: string;
  now?: () => Date;
  /** Test hooks: the report computation, the webhook's fetch and back-off sleep. */
  compute?: SchedulerDeps["compute"];
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  onError?: (err: unknown) => void;
}

/**
 * The monitoring scheduler of the service, with its webhook channel, and the
 * warnings to show (the webhook's host not allowed by the permissions).
 * `scheduler` is null when both DRIFT_INTERVAL_MINUTES and DRIFT_MIN_NEW_ROWS
 * are 0.
 */
export async function createMonitoring(
  deps: MonitoringDeps,
): Promise<{ scheduler: MonitorScheduler | null; warnings: string[] }> {
  const { config, store } = deps;
  const warnings: string[] = [];
  let channel: AlertChannel | null = null;
  if (config.alertWebhookUrl) {
    const permission = await webhookPermission(config.alertWebhookUrl);
    if (permission !== "granted") warnings.push(permission);
    channel = {
      sender: createWebhookSender({
        url: config.alertWebhookUrl,
        format: config.alertWebhookFormat,
        record: (d) => store.monitor.deliveries.record(d),
        sender: "service",
        now: deps.now,
        fetch: deps.fetch,
        sleep: deps.sleep,
      }),
      format: config.alertWebhookFormat,
      context: { modelVersion: deps.meta.model_version },
    };
  }
  if (config.driftIntervalMinutes === 0 && config.driftMinNewRows === 0) {
    return { scheduler: null, warnings };
  }
  let profile: Promise<ReferenceProfile | null> | undefined;
  const scheduler = createMonitorScheduler({
    store,
    meta: deps.meta,
    // Loaded once, on the first due report; a missing reference means no reports.
    profile: () =>
      profile ??= loadDriftReference({
        artifactsDir: config.artifactsDir,
        referencePath: deps.referencePath,
      }).then((r) => r.profile, (err: Error) => {
        deps.onError?.(err);
        return null;
      }),
    settings: {
      intervalMinutes: config.driftIntervalMinutes,
      minNewRows: config.driftMinNewRows,
      windowHours: config.driftWindowHours,
    },
    channel,
    now: deps.now,
    compute: deps.compute,
    onError: deps.onError,
  });
  return { scheduler, warnings };
}

function fail(message: string): never {
  console.error(`scorewatch: ${message}`);
  Deno.exit(1);
}

/** Which serving unit this is: the only one, or worker `index` of `WORKERS`. */
interface Unit {
  index: number;
  port: number;
  /** Share the port with the other workers (SO_REUSEPORT). */
  reusePort: boolean;
}

/** A serving unit, listening. */
interface Serving {
  /** `http://host:port`. */
  url: string;
  modelVersion: string;
  /** Where the audit log lives, safe to print (a URL without its password). */
  location: string;
  /** Rescans the model directories (SIGHUP). */
  reload(): Promise<ReloadResult>;
  /** Stops accepting, finishes in-flight requests, commits the log queue, closes everything. */
  stop(): Promise<void>;
}

/** Opens the audit store: PostgreSQL at DATABASE_URL, else SQLite where `resolveDbLocation` says. */
async function openAuditStore(
  config: Config,
  metrics: Metrics,
  unit: Unit,
): Promise<{ store: Store; location: DbLocation }> {
  if (config.databaseUrl) {
    try {
      const store = await openStore(config.databaseUrl, {
        poolSize: config.databasePoolSize,
        flushDelayMs: config.logFlushMs,
        maxBatchRows: config.logMaxRows,
        ...metrics.auditLog,
      });
      return { store, location: { path: store.location, persistent: true } };
    } catch (err) {
      // The store's message names the database without its password.
      throw new Error(`cannot open the audit database ${(err as Error).message}`);
    }
  }
  const location = resolveDbLocation({
    dbPath: config.dbPath,
    fallbackPath: config.dbFallbackPath,
  });
  if (location.warning && unit.index === 0) {
    console.warn(`scorewatch: WARNING: ${location.warning}`);
  }
  try {
    const store = await openStore(location.path, {
      synchronous: config.dbSynchronous,
      flushDelayMs: config.logFlushMs,
      maxBatchRows: config.logMaxRows,
      ...metrics.auditLog,
    });
    return { store, location };
  } catch (err) {
    throw new Error(`cannot open the audit database ${location.path}: ${(err as Error).message}`);
  }
}

/** How often a serving unit reads the shared model state (one primary-key read). */
const MODEL_POLL_MS = 2000;

/** Builds one serving unit (model sessions, store connection, app) and starts listening. */
async function serve(config: Config, unit: Unit): Promise<Serving> {
  // Metrics first: the models and the store report to its hooks; the gauges
  // that read the store find it here once it is open.
  const scraped: {
    store?: Store;
    gauges?: () => Promise<PerformanceGauges | null>;
    metrics?: Metrics;
  } = {};
  const registry = await openRegistry({
    artifactsDir: config.artifactsDir,
    modelsDir: config.modelsDir,
    load: (dir) =>
      loadModel(dir, {
        events: (meta) => {
          const labels = { type: meta.model_type, version: meta.model_version };
          return {
            onBatch: (rows, ms) => scraped.metrics?.inferenceFor(labels).onBatch?.(rows, ms),
          };
        },
      }),
  });
  if (unit.index === 0) {
    for (const s of registry.skipped()) {
      console.warn(`scorewatch: WARNING: model directory ${s.dir} skipped: ${s.reason}`);
    }
  }
  const first = registry.get(registry.defaultVersion() ?? "") ?? registry.all()[0];
  if (!first) {
    await registry.release();
    const why = registry.skipped().map((s) => `${s.dir}: ${s.reason}`).join("; ");
    throw new Error(`cannot load the model: ${why || "no model directory"}`);
  }
  const metrics = scraped.metrics = createMetrics({
    model: { type: first.meta.model_type, version: first.meta.model_version },
    queueDepth: () => scraped.store?.queueDepth ?? 0,
    performance: () => scraped.gauges?.() ?? Promise.resolve(null),
  });
  let store: Store, location: DbLocation;
  try {
    ({ store, location } = await openAuditStore(config, metrics, unit));
  } catch (err) {
    await registry.release();
    throw err;
  }
  // Sibling worker threads hear of a change at once; other replicas poll.
  const news = openModelNews();
  let lifecycle: ModelLifecycle;
  try {
    lifecycle = await openLifecycle({
      registry,
      store,
      announce: news.announce,
      onSwap: (set) => {
        if (unit.index !== 0) return;
        const shadows = set.shadows.map((m) => m.meta.model_version);
        console.log(
          `scorewatch: champion ${set.champion.meta.model_version}` +
            (shadows.length ? `, shadows ${shadows.join(", ")}` : ", no shadows"),
        );
      },
    });
  } catch (err) {
    news.close();
    await store.close();
    await registry.release();
    throw new Error(`cannot load the model: ${(err as Error).message}`);
  }
  const logError = (what: string) => (err: unknown) =>
    console.error(`scorewatch: ${what}: ${err instanceof Error ? err.message : String(err)}`);
  news.listen({
    changed: () => lifecycle.sync(),
    // Not lifecycle.reload(): that would announce again, and the siblings answer forever.
    reloaded: () => registry.rescan().then(() => lifecycle.sync()),
  }, logError("model state"));
  const stopPolling = lifecycle.poll(MODEL_POLL_MS, logError("model state poll"));
  const model = lifecycle.source().champion;
  scraped.store = store;
  scraped.gauges = cachedPerformanceGauges(store, model.meta);
  const requestStats = createRequestStats(store.requests);
  // One retention schedule per process (worker 0); other replicas' passes find nothing to do.
  const stopRetention = startRetention(store.erase, {
    days: unit.index === 0 ? config.retentionDays : 0,
    onPass: (deleted, cutoff, scrubbed) => {
      if (!scrubbed) {
        console.warn(
          `scorewatch: WARNING: retention: deleted ${deleted} rows before ${cutoff}, but ` +
            "copies of deleted rows remain on disk: another connection holds an old read " +
            "snapshot (a long drift run, a backup?); the next pass retries the scrub",
        );
      } else if (deleted > 0) {
        console.log(`scorewatch: retention: deleted ${deleted} rows before ${cutoff}`);
      }
    },
  });
  const monitoring = await createMonitoring({
    config,
    meta: model.meta,
    store,
    referencePath: model.referencePath,
    onError: (err) =>
      console.error(`scorewatch: monitoring: ${err instanceof Error ? err.message : String(err)}`),
  });
  if (unit.index === 0) {
    for (const w of monitoring.warnings) console.warn(`scorewatch: WARNING: ${w}`);
  }
  const app = createApp({
    config,
    model,
    lifecycle,
    store,
    metrics,
    requestStats,
    warnings: [...(location.warning ? [location.warning] : []), ...monitoring.warnings],
    site: {
      monitoring: {
        webhook: config.alertWebhookUrl !== "",
        intervalMinutes: config.driftIntervalMinutes,
      },
    },
  });
  if (config.apiKeys.length + config.adminKeys.length === 0 && unit.index === 0) {
    console.warn(`scorewatch: WARNING: ${OPEN_MODE_WARNING}`);
  }
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      port: unit.port,
      hostname: config.host,
      reusePort: unit.reusePort,
      onListen: () => {},
    }, app.fetch);
  } catch (err) {
    stopPolling();
    news.close();
    await store.close();
    await registry.release();
    const message = (err as Error).message;
    throw new Error(
      /unstable-net/.test(message)
        ? "WORKERS > 1 shares the port with SO_REUSEPORT, which Deno 2.9 gates behind " +
          "--unstable-net: run `deno task start` (it passes the flag)"
        : `cannot listen on ${config.host}:${unit.port}: ${message}`,
    );
  }
  // One scheduler per process (worker 0); replicas share its work through a database lease.
  if (unit.index === 0) monitoring.scheduler?.start();
  const { hostname, port } = server.addr;
  return {
    url: `http://${hostname}:${port}`,
    modelVersion: model.meta.model_version,
    location: location.path,
    reload: () => lifecycle.reload(),
    async stop() {
      stopPolling();
      news.close();
      await server.shutdown();
      app.dispose();
      await monitoring.scheduler?.stop();
      await stopRetention();
      await requestStats.close();
      await store.close();
      await registry.release();
    },
  };
}

/** The line tools wait for: "scorewatch: model … ready in N ms on http://…". */
function readyLine(
  serving: Pick<Serving, "url" | "modelVersion" | "location">,
  t0: number,
  workers: number,
): string {
  const ms = Math.round(performance.now() - t0);
  return `scorewatch: model ${serving.modelVersion} ready in ${ms} ms on ${serving.url}` +
    (workers > 1 ? ` (${workers} workers)` : "") +
    ` (docs: /docs, monitoring: /monitor, audit log: ${serving.location})`;
}

/** Runs `stop` once on the first SIGTERM or SIGINT, then exits 0. */
function onShutdownSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handle = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`scorewatch: ${signal}: finishing in-flight requests`);
    await stop();
    console.log("scorewatch: audit log flushed and closed; bye");
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", () => handle("SIGTERM"));
  Deno.addSignalListener("SIGINT", () => handle("SIGINT"));
}

/** Logs what a reload (SIGHUP) found. */
function logReload(result: ReloadResult): void {
  console.log(
    `scorewatch: SIGHUP: model directories rescanned: ` +
      (result.loaded.length ? `loaded ${result.loaded.join(", ")}` : "nothing new"),
  );
  for (const s of result.skipped) {
    console.warn(`scorewatch: WARNING: model directory ${s.dir} skipped: ${s.reason}`);
  }
}

/** On SIGHUP, `reload` (rescan the model directories); not on Windows, which has no SIGHUP. */
function onReloadSignal(reload: () => void): void {
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGHUP", reload);
}

/** Messages between the supervising thread and its workers. */
type ToWorker =
  | { type: "start"; index: number; port: number }
  | { type: "reload" }
  | { type: "stop" };
type FromWorker =
  | { type: "ready"; url: string; modelVersion: string; location: string; port: number }
  | { type: "failed"; message: string }
  | { type: "stopped" };

/**
 * `WORKERS` > 1: this thread supervises; each worker thread is a whole
 * serving unit (its own ONNX session, store connection, metrics) bound to
 * the same port with SO_REUSEPORT, so the kernel spreads connections over
 * them. Worker 0 binds first (it may pick the port, PORT=0), the others
 * join its port. Threads rather than processes: they inherit the process's
 * permissions, no `--allow-run` needed, one PID for the orchestrator's
 * signals. A worker that fails ends the process (exit 1): the orchestrator
 * restarts it whole.
 */
async function supervise(config: Config): Promise<void> {
  const t0 = performance.now();
  if (!config.databaseUrl) {
    console.warn(
      "scorewatch: WARNING: WORKERS > 1 on SQLite (ALLOW_SQLITE_WORKERS=1): the workers queue " +
        "for the file's write lock; expect 503s under load",
    );
  }
  const workers: Worker[] = [];
  const stopped: Promise<void>[] = [];
  const spawn = (index: number, port: number) => {
    const worker = new Worker(import.meta.url, {
      type: "module",
      name: `scorewatch-worker-${index}`,
    });
    workers.push(worker);
    const ready = Promise.withResolvers<FromWorker & { type: "ready" }>();
    const done = Promise.withResolvers<void>();
    stopped.push(done.promise);
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === "ready") ready.resolve(message);
      else if (message.type === "stopped") done.resolve();
      else fail(`worker ${index}: ${message.message}`);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      fail(`worker ${index} failed: ${event.message}`);
    };
    worker.postMessage({ type: "start", index, port } satisfies ToWorker);
    return ready.promise;
  };
  const first = await spawn(0, config.port);
  await Promise.all(Array.from({ length: config.workers - 1 }, (_, i) => spawn(i + 1, first.port)));
  console.log(readyLine(first, t0, config.workers));
  // Worker 0 rescans; its news makes its siblings rescan too.
  onReloadSignal(() => workers[0].postMessage({ type: "reload" } satisfies ToWorker));
  onShutdownSignal(async () => {
    for (const worker of workers) worker.postMessage({ type: "stop" } satisfies ToWorker);
    await Promise.all(stopped);
  });
}

/** Worker thread side of {@link supervise}. */
function runWorker(config: Config): void {
  const scope = globalThis as unknown as {
    onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
    postMessage(message: FromWorker): void;
    close(): void;
  };
  let serving: Promise<Serving> | undefined;
  scope.onmessage = async (event) => {
    const message = event.data;
    if (message.type === "start") {
      serving = serve(config, { index: message.index, port: message.port, reusePort: true });
      try {
        const s = await serving;
        const port = Number(new URL(s.url).port);
        const { url, modelVersion, location } = s;
        scope.postMessage({ type: "ready", url, modelVersion, location, port });
      } catch (err) {
        scope.postMessage({ type: "failed", message: (err as Error).message });
      }
    } else if (message.type === "reload") {
      (await serving)?.reload().then(
        logReload,
        (err: Error) => console.error(`scorewatch: SIGHUP: ${err.message}`),
      );
    } else if (message.type === "stop") {
      await (await serving)?.stop();
      scope.postMessage({ type: "stopped" });
      scope.close();
    }
  };
}

async function start(config: Config): Promise<void> {
  if (config.workers > 1) return await supervise(config);
  const t0 = performance.now();
  const serving = await serve(config, { index: 0, port: config.port, reusePort: false })
    .catch((err: Error) => fail(err.message));
  console.log(readyLine(serving, t0, 1));
  onReloadSignal(() =>
    serving.reload().then(
      logReload,
      (err: Error) => console.error(`scorewatch: SIGHUP: ${err.message}`),
    )
  );
  onShutdownSignal(() => serving.stop());
}

const IN_WORKER = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !==
  "undefined";

if (import.meta.main) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    fail((err as Error).message);
  }
  if (IN_WORKER) runWorker(config);
  else await start(config);
}
