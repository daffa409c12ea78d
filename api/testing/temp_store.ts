/**
 * Stores on fresh temp databases for tests, and the backend matrix the store
 * suite runs on: {@link storeTest} runs one test against every backend
 * (SQLite on a temp file; PostgreSQL on a temp schema when a server is
 * reachable). Dispose a store with `await using`.
 *
 * @module
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { PredictionRecord, StoredPrediction } from "../store/mod.ts";
import { openStore, type Store, type StoreOptions } from "../store/mod.ts";

/** A temp store, where it lives, and helpers. */
export interface TempStore extends AsyncDisposable {
  store: Store;
  backend: Store["backend"];
  /** The SQLite file (SQLite only). */
  path: string;
  dir: string;
  /** Request ids of the logged rows, oldest first. */
  ids(): Promise<string[]>;
  /** Rows in a table (checks of what the contract does not expose). */
  countRows(table: string): Promise<number>;
}

/** Options for {@link createTempStore}. */
export interface TempStoreOptions extends StoreOptions {
  /** File name inside the temp directory (may include folders). Default `log.sqlite`. */
  file?: string;
}

/** Opens a SQLite store (`synchronous=NORMAL` unless given) in a new temp directory. */
export async function createTempStore(options: TempStoreOptions = {}): Promise<TempStore> {
  const { file = "log.sqlite", ...storeOptions } = options;
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_store_" });
  const path = join(dir, file);
  const store = await openStore(path, { synchronous: "NORMAL", ...storeOptions });
  return {
    store,
    backend: "sqlite",
    path,
    dir,
    ids: async () => (await allRows(store)).map((r) => r.request_id),
    countRows(table) {
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        return Promise.resolve(
          Number((db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n),
        );
      } finally {
        db.close();
      }
    },
    async [Symbol.asyncDispose]() {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A backend the store suite runs on. */
export interface StoreBackend {
  name: Store["backend"];
  /** Why it is skipped here, if it is (e.g. no server to reach). */
  skip?: string;
  open(options?: StoreOptions): Promise<TempStore>;
}

/** Every backend of the store contract. */
export const STORE_BACKENDS: StoreBackend[] = [
  { name: "sqlite", open: (options) => createTempStore(options) },
];

/** Runs `fn` on a fresh temp store of every backend, as one test each. */
export function storeTest(
  name: string,
  fn: (t: TempStore) => Promise<void>,
  options: StoreOptions = {},
): void {
  for (const backend of STORE_BACKENDS) {
    Deno.test({
      name: `${backend.name}: ${name}`,
      ignore: backend.skip !== undefined,
      async fn() {
        await using t = await backend.open(options);
        await fn(t);
      },
    });
  }
}

/** A logged row for store tests: request id and time, the rest fixed unless overridden. */
export function testRecord(
  requestId: string,
  overrides: Partial<PredictionRecord> = {},
): PredictionRecord {
  return {
    ts_utc: "2026-01-01T00:00:00.000Z",
    client_id: "",
    request_id: requestId,
    model_version: "m1",
    proba_default: 0.2,
    threshold: 0.5,
    decision: 0,
    latency_ms: 1,
    input_json: JSON.stringify({ secret: `applicant ${requestId}` }),
    reasons_json: null,
    ...overrides,
  };
}

/** Every logged row of a store, oldest first. */
export async function allRows(store: Pick<Store, "predictions">): Promise<StoredPrediction[]> {
  const rows: StoredPrediction[] = [];
  for await (const page of store.predictions.pages()) rows.push(...page);
  return rows;
}
