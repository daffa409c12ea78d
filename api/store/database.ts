/**
 * Opens the SQLite audit database (`node:sqlite`, embedded in Deno) with the
 * durability settings the service promises, and migrates it.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { migrate } from "./schema.ts";

/**
 * `FULL`: every commit waits for the WAL to reach the disk, so an acknowledged
 * prediction survives a power cut. `NORMAL`: survives a process crash, may lose
 * the last commits on power loss. Group commit makes `FULL` affordable.
 */
export type Synchronous = "FULL" | "NORMAL";

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  synchronous?: Synchronous;
  /**
   * How long a statement waits for a lock held by another process before
   * failing. Short on purpose: the API is synchronous here, and a failed write
   * answers 503 instead of stalling every request.
   */
  busyTimeoutMs?: number;
  readOnly?: boolean;
  /**
   * Test/ops hook: extra `PRAGMA` statements (without the keyword, e.g.
   * `"max_page_count = 64"`, `"query_only = ON"`) run on the connection after
   * it is configured and migrated. Fault-injection tests use it to emulate a
   * full disk or a read-only database on the writer's own connection. Trusted
   * input only: the text is executed as SQL.
   */
  pragmas?: readonly string[];
}

/** Opens (creating its directory if needed), configures and migrates a database. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): DatabaseSync {
  if (path !== ":memory:" && !options.readOnly) mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { readOnly: options.readOnly ?? false });
  db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 100)}`);
  if (!options.readOnly) {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec(`PRAGMA synchronous = ${options.synchronous ?? "FULL"}`);
    migrate(db);
  }
  for (const pragma of options.pragmas ?? []) db.exec(`PRAGMA ${pragma}`);
  return db;
}
