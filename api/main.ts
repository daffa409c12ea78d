/**
 * Service entry point: configuration → model → store → app → `Deno.serve`.
 * On SIGTERM/SIGINT it stops accepting connections, lets in-flight requests
 * finish, commits the log queue and closes the database.
 *
 * @module
 */
import { createApp, OPEN_MODE_WARNING } from "./app.ts";
import { type DbLocation, resolveDbLocation } from "./db_location.ts";
import { type Config, loadConfig } from "./config.ts";
import { cachedPerformanceGauges } from "./metrics/performance_gauges.ts";
import { createMetrics, type PerformanceGauges } from "./metrics/registry.ts";
import { createRequestStats } from "./middleware/request_stats/index.ts";
import { loadModel, readModelMeta } from "./scoring/model.ts";
import type { GroupCommitEvents } from "./store/group_commit.ts";
import { openStore, type Store } from "./store/mod.ts";
import { startRetention } from "./store/retention.ts";

function fail(message: string): never {
  console.error(`scorewatch: ${message}`);
  Deno.exit(1);
}

/** Opens the audit store where `resolveDbLocation` says, or stops the process. */
function openAuditStore(
  config: Config,
  hooks: GroupCommitEvents,
): { store: Store; location: DbLocation } {
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
      writer: config.logWriter,
      ...hooks,
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
  const model = await loadModel(config.artifactsDir, {
    threads: config.ortThreads,
    coalesce: config.scoreCoalesce,
    events: metrics.inference,
  }).catch((err: Error) => fail(`cannot load the model: ${err.message}`));
  const { store: openedStore, location } = openAuditStore(config, metrics.auditLog);
  scraped.store = openedStore;
  scraped.gauges = cachedPerformanceGauges(openedStore.db, model.meta);
  const requestStats = createRequestStats(openedStore.db);
  const stopRetention = startRetention({
    db: openedStore.db,
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
    store: openedStore,
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
    await openedStore.close();
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
