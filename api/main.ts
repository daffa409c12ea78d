/**
 * Service entry point: configuration → model → store → app → `Deno.serve`.
 * On SIGTERM/SIGINT it stops accepting connections, lets in-flight requests
 * finish, commits the log queue and closes the database.
 *
 * @module
 */
import { createApp } from "./app.ts";
import { type Config, loadConfig } from "./config.ts";
import { loadModel } from "./scoring/model.ts";
import { openStore } from "./store/mod.ts";

function fail(message: string): never {
  console.error(`scorewatch: ${message}`);
  Deno.exit(1);
}

async function start(config: Config): Promise<void> {
  const t0 = performance.now();
  const model = await loadModel(config.artifactsDir, { threads: config.ortThreads })
    .catch((err: Error) => fail(`cannot load the model: ${err.message}`));
  let store;
  try {
    store = openStore(config.dbPath, {
      synchronous: config.dbSynchronous,
      flushDelayMs: config.logFlushMs,
      maxBatchRows: config.logMaxRows,
    });
  } catch (err) {
    fail(`cannot open the audit database ${config.dbPath}: ${(err as Error).message}`);
  }
  const app = createApp({ config, model, store });
  const server = Deno.serve({
    port: config.port,
    hostname: config.host,
    onListen: ({ hostname, port }) => {
      const ms = Math.round(performance.now() - t0);
      console.log(
        `scorewatch: model ${model.meta.model_version} ready in ${ms} ms on http://${hostname}:${port}` +
          ` (docs: /docs, audit log: ${config.dbPath})`,
      );
    },
  }, app.fetch);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`scorewatch: ${signal}: finishing in-flight requests`);
    await server.shutdown();
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
