/**
 * The composition root, on top of everything as in Fresh: configuration →
 * model → audit store → the parts the API and the site share → `createApi` +
 * `createSite` → `Deno.serve`. Nothing else builds these parts.
 *
 * On SIGTERM/SIGINT the service stops accepting connections, lets in-flight
 * requests finish, commits the log queue and closes the database.
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
import { type DbLocation, resolveDbLocation } from "./api/store/location.ts";
import { openStore, type Store } from "./api/store/mod.ts";
import { startRetention } from "./api/store/retention.ts";
import { createSite, serveFavicon, type SiteOptions } from "./site/mod.ts";

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
   * closes (flushes the last counters). Default: one on `store.db`.
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
    performance: cachedPerformanceGauges(store.db, model.meta),
  });
  const explainer = model.explainer;
  const predictor = createPredictor({
    model,
    store,
    explainer,
    now,
    onScored: (ok, decisions) => metrics.scored(ok, decisions),
  });
  const requestStats = deps.requestStats ??
    createRequestStats(store.db, { now: now && (() => now().getTime()) });
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
      referencePath: model.referencePath,
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

function fail(message: string): never {
  console.error(`scorewatch: ${message}`);
  Deno.exit(1);
}

/** Opens the audit store where `resolveDbLocation` says, or stops the process. */
function openAuditStore(config: Config, metrics: Metrics): { store: Store; location: DbLocation } {
  const location = resolveDbLocation({
    dbPath: config.dbPath,
    fallbackPath: config.dbFallbackPath,
  });
  if (location.warning) console.warn(`scorewatch: WARNING: ${location.warning}`);
  try {
    const store = openStore(location.path, {
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
  const scraped: { store?: Store; gauges?: () => PerformanceGauges | null } = {};
  const metrics = createMetrics({
    model: { type: meta.model_type, version: meta.model_version },
    queueDepth: () => scraped.store?.queueDepth ?? 0,
    performance: () => scraped.gauges?.() ?? null,
  });
  const model = await loadModel(config.artifactsDir, { events: metrics.inference })
    .catch((err: Error) => fail(`cannot load the model: ${err.message}`));
  const { store, location } = openAuditStore(config, metrics);
  scraped.store = store;
  scraped.gauges = cachedPerformanceGauges(store.db, model.meta);
  const requestStats = createRequestStats(store.db);
  const stopRetention = startRetention({
    db: store.db,
    days: config.retentionDays,
    onPass: (deleted, cutoff) => {
      if (deleted > 0) {
        console.log(`scorewatch: retention: deleted ${deleted} rows before ${cutoff}`);
      }
    },
  });
  const app = createApp({
    config,
    model,
    store,
    metrics,
    requestStats,
    warnings: location.warning ? [location.warning] : [],
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

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`scorewatch: ${signal}: finishing in-flight requests`);
    await server.shutdown();
    app.dispose();
    await stopRetention();
    requestStats.close();
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
