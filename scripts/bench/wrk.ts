/**
 * Load generation with Debian's `wrk` (C, epoll): much lighter on the CPU it
 * shares with the server than a JavaScript client. Requests come from
 * `wrk_cycle.lua`, which cycles through real bodies and prints the figures as
 * one `WRK_JSON {…}` line parsed here.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadOptions, LoadResult } from "./load_types.ts";

/** Path of the Lua script. */
export const WRK_SCRIPT = fileURLToPath(new URL("./wrk_cycle.lua", import.meta.url));

/** Options for {@link wrkArgs}. */
export interface WrkArgsOptions {
  url: string;
  concurrency: number;
  durationS: number;
  /** wrk threads (capped at `concurrency`). */
  threads: number;
  bodiesFile: string;
  /** Default POST. */
  method?: "POST" | "GET";
  apiKey?: string;
  /** Pause of each connection after each answer, ms (whole; wrk's timer unit). */
  delayMs?: number;
  script?: string;
}

/** The wrk command line: `-c`, `-t`, whole seconds `-d` (at least 1), the script and its args. */
export function wrkArgs(options: WrkArgsOptions): string[] {
  const url = new URL(options.url);
  return [
    `-c${options.concurrency}`,
    `-t${Math.max(1, Math.min(options.threads, options.concurrency))}`,
    `-d${Math.max(1, Math.round(options.durationS))}s`,
    "--timeout",
    "10s",
    "-s",
    options.script ?? WRK_SCRIPT,
    url.origin,
    "--",
    options.bodiesFile,
    url.pathname + url.search,
    options.method ?? "POST",
    ...(options.apiKey || options.delayMs ? [options.apiKey ?? ""] : []),
    ...(options.delayMs ? [String(Math.max(1, Math.round(options.delayMs)))] : []),
  ];
}

interface WrkJson {
  requests: number;
  duration_us: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latency_us: { min: number; mean: number; max: number; p50: number; p95: number; p99: number };
}

/** Reads the `WRK_JSON` line of wrk's output into a {@link LoadResult}. */
export function parseWrkReport(stdout: string, concurrency: number): LoadResult {
  const line = stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
  if (!line) throw new Error(`wrk printed no WRK_JSON line:\n${stdout}`);
  const r = JSON.parse(line.slice("WRK_JSON ".length)) as WrkJson;
  const durationS = r.duration_us / 1e6;
  const ms = (us: number) => us / 1000;
  return {
    generator: "wrk",
    concurrency,
    durationS,
    requests: r.requests,
    requestsPerS: durationS > 0 ? r.requests / durationS : 0,
    statusErrors: r.errors.status,
    socketErrors: r.errors.connect + r.errors.read + r.errors.write + r.errors.timeout,
    latencyMs: {
      min: ms(r.latency_us.min),
      mean: ms(r.latency_us.mean),
      p50: ms(r.latency_us.p50),
      p95: ms(r.latency_us.p95),
      p99: ms(r.latency_us.p99),
      max: ms(r.latency_us.max),
    },
  };
}

/** True when `wrk` can be run. */
export async function wrkAvailable(): Promise<boolean> {
  try {
    const out = await new Deno.Command("wrk", { args: ["-v"], stdout: "piped", stderr: "piped" })
      .output();
    return new TextDecoder().decode(out.stdout).includes("wrk");
  } catch {
    return false;
  }
}

/** Runs wrk with the bodies written to a file in `workDir`. */
export async function runWrk(
  options: LoadOptions & { threads: number; workDir: string },
): Promise<LoadResult> {
  const bodiesFile = join(options.workDir, `wrk-bodies-${crypto.randomUUID()}.jsonl`);
  await Deno.writeTextFile(bodiesFile, options.bodies.join("\n") + "\n");
  try {
    const out = await new Deno.Command("wrk", {
      args: wrkArgs({ ...options, bodiesFile }),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      throw new Error(
        `wrk failed (code ${out.code}):\n${stdout}\n${new TextDecoder().decode(out.stderr)}`,
      );
    }
    return parseWrkReport(stdout, options.concurrency);
  } finally {
    await Deno.remove(bodiesFile).catch(() => {});
  }
}
