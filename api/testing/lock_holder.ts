/**
 * Fault-injection helper run as a separate process by the fault tests: opens
 * a SQLite database, takes its write lock (`BEGIN EXCLUSIVE`), prints
 * `locked`, and holds the lock until its stdin closes (then rolls back and
 * exits) or it is killed — another program locking the audit log.
 *
 * Usage: `deno run --allow-read=DIR --allow-write=DIR api/testing/lock_holder.ts DB_PATH`
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/** What the holder prints once it holds the lock. */
export const LOCKED_LINE = "locked";

/** Spawns the holder on `dbPath` (least privilege: the database directory only). */
export function spawnLockHolder(dbPath: string, dir: string): Deno.ChildProcess {
  return new Deno.Command("deno", {
    args: [
      "run",
      `--allow-read=${dir}`,
      `--allow-write=${dir}`,
      new URL(import.meta.url).pathname,
      dbPath,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/** Resolves once the holder printed {@link LOCKED_LINE}; rejects if it ended first. */
export async function waitUntilLocked(child: Deno.ChildProcess): Promise<void> {
  const decoder = new TextDecoder();
  let seen = "";
  const reader = child.stdout.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`lock holder ended before locking; output: ${seen}`);
      seen += decoder.decode(value, { stream: true });
      if (seen.includes(LOCKED_LINE)) return;
    }
  } finally {
    reader.releaseLock();
  }
}

if (import.meta.main) {
  const [path] = Deno.args;
  const db = new DatabaseSync(path);
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("BEGIN EXCLUSIVE");
  console.log(LOCKED_LINE);
  for await (const _ of Deno.stdin.readable) {
    // Any input, or the end of stdin, releases the lock.
    break;
  }
  db.exec("ROLLBACK");
  db.close();
}
