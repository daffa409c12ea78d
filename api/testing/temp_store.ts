/**
 * A store on a fresh temp directory for tests; dispose it with `await using`.
 *
 * @module
 */
import { join } from "node:path";
import { openStore, type Store, type StoreOptions } from "../store/mod.ts";

/** A temp store, its file, and helpers. */
export interface TempStore extends AsyncDisposable {
  store: Store;
  path: string;
  dir: string;
  /** Request ids of the logged rows, oldest first. */
  ids(): string[];
}

/** Options for {@link createTempStore}. */
export interface TempStoreOptions extends StoreOptions {
  /** File name inside the temp directory (may include folders). Default `log.sqlite`. */
  file?: string;
}

/** Opens a store (`synchronous=NORMAL` unless given) in a new temp directory. */
export async function createTempStore(options: TempStoreOptions = {}): Promise<TempStore> {
  const { file = "log.sqlite", ...storeOptions } = options;
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_store_" });
  const path = join(dir, file);
  const store = openStore(path, { synchronous: "NORMAL", ...storeOptions });
  return {
    store,
    path,
    dir,
    ids: () => [...store.iterate()].map((r) => r.request_id),
    async [Symbol.asyncDispose]() {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
