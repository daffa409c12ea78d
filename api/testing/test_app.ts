/**
 * Builds the real app in-process on a temp directory: fixture model (or the
 * committed artifacts) as the default champion, the versions of a models
 * directory if given, the model lifecycle on the temp SQLite database (no
 * polling: tests call `lifecycle.sync()`). Dispose it with `await using`.
 *
 * Every response `t.app.request` (and so `t.post`) returns is first checked
 * against the OpenAPI document the app serves (`contract.ts`): a response
 * the document does not describe fails the test that received it, so every
 * API test is a contract test too.
 *
 * @module
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type Config, DEFAULT_CONFIG } from "../config.ts";
import { loadModel, type ScoringModel } from "../scoring/model.ts";
import { openRegistry } from "../scoring/registry.ts";
import { type ModelLifecycle, openLifecycle } from "../model_lifecycle.ts";
import { openStore, type Store, type StoreOptions } from "../store/mod.ts";
import { readCsvFile, tableToFeatures } from "../scoring/feature_csv.ts";
import type { Features } from "../scoring/feature_vector.ts";
import { type CheckedResponse, type ContractChecker, createContractChecker } from "./contract.ts";
import { FIXTURE_FEATURES, writeFixtureModel } from "./fixture_model.ts";
import { type AppDeps, createApp } from "../../main.ts";

/** A test app and what it is made of. */
export interface TestApp extends AsyncDisposable {
  app: ReturnType<typeof createApp>;
  store: Store;
  /** The champion at start-up. */
  model: ScoringModel;
  lifecycle: ModelLifecycle;
  dir: string;
  dbPath: string;
  /** Rows in a table of the audit database (checks of what the contract does not expose). */
  countRows(table: string): number;
  /** Runs SQL on the audit database through a connection of its own (fault injection). */
  exec(sql: string): void;
  /** POSTs a JSON body (stringified unless already a string). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** The contract check of every response: what the document lists, and what was answered. */
  contract: {
    /** Every response checked so far (all passed: a failing one throws). */
    checked: CheckedResponse[];
    /** Operations and statuses the served document lists (`POST /predict 200`, …). */
    documented(): string[];
  };
}

type App = ReturnType<typeof createApp>;

/**
 * Makes `app.request` check every response against the app's own OpenAPI
 * document before returning it; records what it checked in `checked`.
 */
function checkEveryResponse(app: App, checked: CheckedResponse[]): () => ContractChecker {
  let checker: ContractChecker | undefined;
  const contract = () => checker ??= createContractChecker(app.openApiDocument());
  const request = app.request.bind(app);
  app.request = (async (input, init, ...rest) => {
    const res = await request(input, init, ...rest);
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const url = input instanceof Request ? input.url : String(input);
    checked.push(await contract().check(method, url, res));
    return res;
  }) as App["request"];
  return contract;
}

/** Options for {@link createTestApp}. */
export interface TestAppOptions {
  config?: Partial<Config>;
  /** Use this artifacts directory instead of writing the fixture model. */
  artifactsDir?: string;
  /** MODELS_DIR: more versions. */
  modelsDir?: string;
  /** Loads a model directory (default `loadModel`; fault injection). */
  load?: (dir: string) => Promise<ScoringModel>;
  /** Use this database file (a restart on the same log). Default: a new one in the temp dir. */
  dbPath?: string;
  store?: StoreOptions;
  now?: () => Date;
  /** Wraps the store before the app sees it (fault injection). */
  wrapStore?: (store: Store) => Store | Promise<Store>;
  warnings?: AppDeps["warnings"];
  /** Monitoring site options (reference sample path, polling interval, …). */
  site?: AppDeps["site"];
}

/** Default limits for tests (small, so limit tests stay cheap). */
export const TEST_CONFIG = { strictInput: true, maxBatchRows: 300, maxBodyBytes: 256 * 1024 };

/** Builds a test app on a fresh temp directory. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_test_" });
  const artifactsDir = options.artifactsDir ?? dir;
  if (!options.artifactsDir) await writeFixtureModel(dir);
  const registry = await openRegistry({
    artifactsDir,
    modelsDir: options.modelsDir ?? "",
    load: options.load ?? ((d) => loadModel(d)),
  });
  const dbPath = options.dbPath ?? join(dir, "db", "predictions.sqlite");
  const store = await openStore(dbPath, { synchronous: "NORMAL", ...options.store });
  const served = options.wrapStore ? await options.wrapStore(store) : store;
  const lifecycle = await openLifecycle({ registry, store: served, now: options.now });
  const model = lifecycle.source().champion;
  const app = createApp({
    config: { ...DEFAULT_CONFIG, ...TEST_CONFIG, ...options.config },
    model,
    lifecycle,
    store: served,
    now: options.now,
    warnings: options.warnings,
    site: options.site,
  });
  const checked: CheckedResponse[] = [];
  const contract = checkEveryResponse(app, checked);
  return {
    app,
    store,
    model,
    lifecycle,
    dir,
    dbPath,
    contract: { checked, documented: () => contract().documented() },
    countRows(table) {
      const db = new DatabaseSync(dbPath, { readOnly: true });
      try {
        return Number(
          (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n,
        );
      } finally {
        db.close();
      }
    },
    exec(sql) {
      const db = new DatabaseSync(dbPath);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    },
    post: (path, body, headers = {}) =>
      Promise.resolve(app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      })),
    async [Symbol.asyncDispose]() {
      app.dispose();
      await store.close();
      await registry.release();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** The first `limit` rows of `data/credit_data/test.csv`, as features. */
export async function creditTestRows(limit = Infinity): Promise<Features[]> {
  const path = new URL("../../data/credit_data/test.csv", import.meta.url).pathname;
  const table = await readCsvFile(path);
  return tableToFeatures(table, FIXTURE_FEATURES).slice(0, limit);
}
