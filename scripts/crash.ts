/**
 * Crash safety of the audit log: starts the real service (deno.json's `start`
 * task, on a temp database and an ephemeral port), sends concurrent /predict
 * and /predict_batch load with unique X-Request-Ids, kills the process with
 * SIGKILL in the middle of it, restarts it on the same database — several
 * times — then checks that every item the client got a 200 for is in the log
 * (once), and that `PRAGMA integrity_check` is ok.
 *
 * Usage: deno task crash-test [--kills 5] [--duration-per-run-ms 3000]
 *          [--concurrency 16] [--batch-rows 20] [--synchronous FULL|NORMAL] [--keep]
 *
 * Exit code 0 when nothing acknowledged was lost, 1 otherwise, 2 on bad usage.
 *
 * @module
 */
import { join } from "node:path";
import { parseChoiceFlag, parseFlags, parseIntegerFlag } from "./lib/flags.ts";
import { readModelMeta } from "../api/scoring/model_meta.ts";
import { creditRows } from "./lib/credit_rows.ts";
import { runLoad } from "./crash/load.ts";
import { ROOT, startService } from "./lib/service.ts";
import { verifyLog } from "./crash/verify.ts";

/** Options for {@link runCrashTest}. */
export interface CrashTestOptions {
  /** SIGKILLs (one per run). */
  kills: number;
  /** Load time before each kill. */
  durationPerRunMs: number;
  /** Clients sending at once. */
  concurrency: number;
  /** Largest /predict_batch request. */
  maxBatchRows: number;
  /** DB_SYNCHRONOUS of the service. Default FULL (the service default). */
  synchronous?: "FULL" | "NORMAL";
  /** Keep the temp directory (database) afterwards. */
  keep?: boolean;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

/** One run: load, then SIGKILL. */
export interface RunFigures {
  sent: number;
  acknowledged: number;
  refused: Record<number, number>;
  /** Requests cut off by the kill (no answer). */
  failed: number;
  killedBy: string | null;
}

/** The outcome of {@link runCrashTest}. */
export interface CrashTestReport {
  runs: RunFigures[];
  sent: number;
  kills: number;
  acknowledged: number;
  found: number;
  lost: string[];
  duplicates: number;
  loggedNotAcknowledged: number;
  integrity: string;
  /** After the last kill: restarted, answered /health/ready 200, stopped with SIGTERM, code 0. */
  restartedCleanly: boolean;
  dbPath: string;
}

/** True when nothing was lost, duplicated or corrupted, and the last restart went well. */
export function passed(r: CrashTestReport): boolean {
  return r.lost.length === 0 && r.duplicates === 0 && r.integrity === "ok" &&
    r.restartedCleanly && r.acknowledged > 0;
}

/** The summary table. */
export function formatReport(r: CrashTestReport): string {
  const rows: [string, string | number][] = [
    ["requests sent", r.sent],
    ["kills (SIGKILL mid-load)", r.kills],
    ["requests cut off by kills", r.runs.reduce((s, x) => s + x.failed, 0)],
    ["items acknowledged (200)", r.acknowledged],
    ["acknowledged found in DB", r.found],
    ["lost (must be 0)", r.lost.length],
    ["logged twice (must be 0)", r.duplicates],
    ["logged, answer cut off", r.loggedNotAcknowledged],
    ["integrity_check", r.integrity],
    ["clean restart after last kill", r.restartedCleanly ? "yes" : "NO"],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (r.lost.length) lines.push(`lost ids (first 10): ${r.lost.slice(0, 10).join(", ")}`);
  lines.push(passed(r) ? "PASS" : "FAIL");
  return lines.join("\n");
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the whole experiment on a fresh temp database. */
export async function runCrashTest(options: CrashTestOptions): Promise<CrashTestReport> {
  const log = options.log ?? (() => {});
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_crash_" });
  const dbPath = join(dir, "predictions.sqlite");
  // Open mode, no rate limit: the service's defaults (startService sets them all).
  const env = { DB_SYNCHRONOUS: options.synchronous ?? "FULL" };
  const start = () => startService({ dbDir: dir, env });
  const rows = await creditRows((await readModelMeta(join(ROOT, "artifacts"))).features, 500);
  const prefix = `crash${Date.now().toString(36)}`;
  const runs: RunFigures[] = [];
  const acknowledged: string[] = [];
  try {
    for (let run = 0; run < options.kills; run++) {
      const service = await start();
      const stop = new AbortController();
      const load = runLoad({
        baseUrl: service.baseUrl,
        rows,
        concurrency: options.concurrency,
        maxBatchRows: options.maxBatchRows,
        idPrefix: `${prefix}-r${run}`,
        stop: stop.signal,
      });
      await delay(options.durationPerRunMs);
      const killed = service.stop("SIGKILL"); // sends the signal now, with requests in flight
      stop.abort();
      const status = await killed;
      const figures = await load;
      acknowledged.push(...figures.acknowledged);
      runs.push({
        sent: figures.sent,
        acknowledged: figures.acknowledged.length,
        refused: figures.refused,
        failed: figures.failed,
        killedBy: status.signal,
      });
      log(
        `run ${run + 1}/${options.kills}: ${figures.sent} requests, ` +
          `${figures.acknowledged.length} items acknowledged, ${figures.failed} cut off, ` +
          `killed by ${status.signal}`,
      );
    }
    const last = await start();
    const ready = await fetch(`${last.baseUrl}/health/ready`);
    await ready.body?.cancel();
    const final = await last.stop("SIGTERM");
    const restartedCleanly = ready.status === 200 && final.code === 0;
    if (!restartedCleanly) log(`last restart: ready ${ready.status}, exit ${final.code}`);
    const v = verifyLog(dbPath, acknowledged, prefix);
    return {
      runs,
      sent: runs.reduce((s, r) => s + r.sent, 0),
      kills: runs.filter((r) => r.killedBy === "SIGKILL").length,
      acknowledged: acknowledged.length,
      found: v.found,
      lost: v.lost,
      duplicates: v.duplicates,
      loggedNotAcknowledged: v.loggedNotAcknowledged,
      integrity: v.integrity,
      restartedCleanly,
      dbPath,
    };
  } finally {
    if (!options.keep) await Deno.remove(dir, { recursive: true });
  }
}

/** Parses the command line. */
export function parseCrashTestArgs(args: readonly string[]): CrashTestOptions {
  const values = parseFlags(args, {
    kills: { type: "string", default: "5" },
    "duration-per-run-ms": { type: "string", default: "3000" },
    concurrency: { type: "string", default: "16" },
    "batch-rows": { type: "string", default: "20" },
    synchronous: { type: "string", default: "FULL" },
    keep: { type: "boolean", default: false },
  });
  const synchronous = parseChoiceFlag("synchronous", values.synchronous.toUpperCase(), [
    "FULL",
    "NORMAL",
  ]);
  return {
    kills: parseIntegerFlag("kills", values.kills, { min: 1, max: 100 }),
    durationPerRunMs: parseIntegerFlag("duration-per-run-ms", values["duration-per-run-ms"], {
      min: 100,
      max: 60_000,
    }),
    concurrency: parseIntegerFlag("concurrency", values.concurrency, { min: 1, max: 256 }),
    maxBatchRows: parseIntegerFlag("batch-rows", values["batch-rows"], { min: 2, max: 1000 }),
    synchronous,
    keep: values.keep,
  };
}

if (import.meta.main) {
  let options: CrashTestOptions;
  try {
    options = parseCrashTestArgs(Deno.args);
  } catch (err) {
    console.error(`crash-test: ${(err as Error).message}`);
    Deno.exit(2);
  }
  const report = await runCrashTest({ ...options, log: (line) => console.log(line) });
  console.log(formatReport(report));
  if (options.keep) console.log(`database kept at ${report.dbPath}`);
  Deno.exit(passed(report) ? 0 : 1);
}
