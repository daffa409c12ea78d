/**
 * Where the audit log lives: `DB_PATH`, or — when its directory is missing or
 * not writable and a fallback is configured (the container's case without a
 * mounted `/data`) — `DB_FALLBACK_PATH`, with a warning that the log will not
 * survive the container.
 *
 * @module
 */
import { dirname, join } from "node:path";

/** The chosen database path and whether it is the configured (persistent) one. */
export interface DbLocation {
  path: string;
  persistent: boolean;
  /** Operator-facing warning when the fallback is used. */
  warning?: string;
}

/** True when `dir` exists and a file can be created in it. */
export function isWritableDir(dir: string): boolean {
  const probe = join(dir, `.scorewatch-write-probe-${Deno.pid}`);
  try {
    if (!Deno.statSync(dir).isDirectory) return false;
    Deno.writeTextFileSync(probe, "");
    Deno.removeSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** Options for {@link resolveDbLocation}. */
export interface DbLocationOptions {
  dbPath: string;
  /** Empty: no fallback. */
  fallbackPath: string;
  /** Injected for tests. */
  writable?: (dir: string) => boolean;
}

/**
 * Chooses the database path: the configured one when there is no fallback or
 * its directory exists and is writable, the fallback otherwise.
 */
export function resolveDbLocation(options: DbLocationOptions): DbLocation {
  const writable = options.writable ?? isWritableDir;
  const dir = dirname(options.dbPath);
  if (options.fallbackPath === "" || options.dbPath === ":memory:") {
    return { path: options.dbPath, persistent: true };
  }
  if (writable(dir)) return { path: options.dbPath, persistent: true };
  return {
    path: options.fallbackPath,
    persistent: false,
    warning: `${dir} is missing or not writable, so predictions are logged to ` +
      `${options.fallbackPath} inside the container and are LOST when it restarts; mount ` +
      `persistent storage at ${dir} (Hugging Face Spaces: enable persistent storage)`,
  };
}

/**
 * The store a task opens when not told otherwise: `DATABASE_URL` when set
 * (PostgreSQL, as the service), else `DB_PATH`, else the service's default
 * SQLite file.
 */
export function defaultStoreTarget(env: (name: string) => string | undefined): string {
  return env("DATABASE_URL") || env("DB_PATH") || "data/predictions.sqlite";
}
