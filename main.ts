/**
 * The composition root, on top of everything as in Fresh: configuration →
 * model → audit store → the parts the API and the site share → `createApi` +
 * `createSite` → `Deno.serve`. Nothing else builds these parts.
 *
 * Beside the HTTP app it starts the monitoring scheduler ({@link createMonitoring}):
 * scheduled drift reports, their history, alert state and webhook messages.
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
import { cachedPerformanceGauges } from "./api/metrics/performance_gauges.ts";
import { createMetrics, type Metrics, type PerformanceGauges } from "./api/metrics/registry.ts";
import { createRequestStats, type RequestStats } from "./api/middleware/request_stats.ts";
import { createPredictor } from "./api/predictor.ts";
import { loadModel, type ScoringModel } from "./api/scoring/model.ts";
import { readModelMeta } from "./api/scoring/model_meta.ts";
import { createExplainer } from "./api/scoring/reason_codes.ts";
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

/** The reference sample the scheduler compares with (the site's default too). */
export const DEFAULT_REFERENCE_PATH = "data/reference/reference_sample.csv";

/** The configuration the app reads: the API's, plus the keys and the session secret. */
export type AppConfig = ApiConfig & Pick<Config, "apiKeys" | "adminKeys" | "sessionSecret">;

/** What {@link createApp} is built from. */
export interface AppDeps {
  config: AppConfig;
  model: ScoringModel;
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
  /** Monitoring site options (reference sample, report file, polling). */
  site?: SiteOptions;
}

/**
 * Builds the whole application: the parts the API and the site share (keys,
 * sessions, metrics, explainer, the one predictor, request statistics), the
 * API, and the site mounted under `/monitor`.
 */
export function createApp(deps: AppDeps): Api {
  const { config, model, store, now } = deps;
  const ring = createKeyRing({ scoring: config.apiKeys, admin: config.adminKeys });
  // Without SESSION_SECRET, a random secret: a restart logs everyone out.
  const sessions = createSessionCodec({
    secret: config.sessionSecret ? new TextEncoder().encode(config.sessionSecret) : randomBytes(32),
  });
  const metrics = deps.metrics ?? createMetrics({
    model: { type: model.meta.model_type, version: model.meta.model_version },
    queueDepth: () => store.queueDepth,
    performance: cachedPerformanceGauges(store, model.meta),
  });
  const explainer = createExplainer(model);
  const predictor = createPredictor({
    model,
    store,
    explainer,
    now,
    onScored: (ok, decisions) => metrics.scored(ok, decisions),
  });
  const requestStats = deps.requestStats ??
    createRequestStats(store.requests, { now: now && (() => now().getTime()) });
  const app = createApi({
    config,
    model,
    store,
    predictor,
    ring,
    metrics,
    requestStats,
    now,
    warnings: [...(ring.open ? [OPEN_MODE_WARNING] : []), ...(deps.warnings ?? [])],
  });
  app.route(
    "/monitor",
    createSite({
      ...deps.site,
      meta: model.meta,
      store,
      predictor,
      explainer,
      requestStats,
      now,
      ring,
      sessions,
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
  referencePath?: string;
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
        referencePath: deps.referencePath ?? DEFAULT_REFERENCE_PATH,
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

/** Opens the audit store where `resolveDbLocation` says, or stops the process. */
async function openAuditStore(
  config: Config,
  metrics: Metrics,
): Promise<{ store: Store; location: DbLocation }> {
  const location = resolveDbLocation({
    dbPath: config.dbPath,
    fallbackPath: config.dbFallbackPath,
  });
  if (location.warning) console.warn(`scorewatch: WARNING: ${location.warning}`);
  try {
    const store = await openStore(location.path, {
      synchronous: config.dbSynchronous,
      flushDelayMs: config.logFlushMs,
      maxBatchRows: config.logMaxRows,
      ...metrics.auditLog,
    });
    return { store, location };
  } catch (err) {
    fail(`cannot open the audit database ${location.path}: ${(err as Error).message}`);
  }
}

async function start(config: Config): Promise<void> {
  const t0 = performance.now();
  const meta = await readModelMeta(config.artifactsDir)
    .catch((err: Error) => fail(`cannot load the model: ${err.message}`));
  // Metrics first: the model and the store report to its hooks; the gauges
  // that read the store find it here once it is open.
  const scraped: { store?: Store; gauges?: () => Promise<PerformanceGauges | null> } = {};
  const metrics = createMetrics({
    model: { type: meta.model_type, version: meta.model_version },
    queueDepth: () => scraped.store?.queueDepth ?? 0,
    performance: () => scraped.gauges?.() ?? Promise.resolve(null),
  });
  const model = await loadModel(config.artifactsDir, { events: metrics.inference })
    .catch((err: Error) => fail(`cannot load the model: ${err.message}`));
  const { store, location } = await openAuditStore(config, metrics);
  scraped.store = store;
  scraped.gauges = cachedPerformanceGauges(store, model.meta);
  const requestStats = createRequestStats(store.requests);
  const stopRetention = startRetention(store.erase, {
    days: config.retentionDays,
    onPass: (deleted, cutoff) => {
      if (deleted > 0) {
        console.log(`scorewatch: retention: deleted ${deleted} rows before ${cutoff}`);
      }
    },
  });
  const monitoring = await createMonitoring({
    config,
    meta: model.meta,
    store,
    onError: (err) =>
      console.error(`scorewatch: monitoring: ${err instanceof Error ? err.message : String(err)}`),
  });
  for (const w of monitoring.warnings) console.warn(`scorewatch: WARNING: ${w}`);
  const app = createApp({
    config,
    model,
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
  if (config.apiKeys.length + config.adminKeys.length === 0) {
    console.warn(`scorewatch: WARNING: ${OPEN_MODE_WARNING}`);
  }
  const server = Deno.serve({
    port: config.port,
    hostname: config.host,
    onListen: ({ hostname, port }) => {
      const ms = Math.round(performance.now() - t0);
      console.log(
        `scorewatch: model ${model.meta.model_version} ready in ${ms} ms on http://${hostname}:${port}` +
          ` (docs: /docs, monitoring: /monitor, audit log: ${location.path})`,
      );
    },
  }, app.fetch);

  monitoring.scheduler?.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`scorewatch: ${signal}: finishing in-flight requests`);
    await server.shutdown();
    app.dispose();
    await monitoring.scheduler?.stop();
    await stopRetention();
    await requestStats.close();
    await store.close();
    await model.release();
    console.log("scorewatch: audit log flushed and closed; bye");
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
}

if (import.meta.main) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    fail((err as Error).message);
  }
  await start(config);
}
