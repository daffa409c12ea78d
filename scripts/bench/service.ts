/**
 * Starts the real service for a benchmark, the way `deno task start` runs it:
 * the command and permission flags come from deno.json's `start` task, with
 * extra Deno flags (e.g. `--cpu-prof`) inserted after `run`. The audit log
 * goes to a fresh temp directory under `outputs/perf/` (inside the start
 * task's write permission), removed on stop. Every configuration variable
 * is set explicitly (defaults unless overridden), so an exported variable in
 * the caller's shell cannot change what is measured.
 *
 * Cold start is measured from spawn to the first 200 of `/health/ready`; the
 * service's own "ready in N ms" (module load → listening) is read from its
 * log.
 *
 * @module
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { CONFIG, type ConfigVar, type ConfigVarSpec } from "../../api/config.ts";
import { readStartTask } from "../service_process.ts";
import { type Child, spawnChild } from "./child.ts";

/** The service's start-up line: "… ready in 412 ms on http://127.0.0.1:40123 …". */
export const SERVICE_READY = /ready in (\d+) ms on (http:\/\/127\.0\.0\.1:\d+)/;

/**
 * The `start` task's argv with `denoFlags` inserted after `deno run`; every
 * other flag and the entry point stay as they are.
 */
export function serviceArgv(task: string, denoFlags: readonly string[] = []): string[] {
  const argv = task.trim().split(/\s+/);
  if (argv[0] !== "deno" || argv[1] !== "run") {
    throw new Error(`the start task is not a "deno run" command: ${task}`);
  }
  return [argv[0], argv[1], ...denoFlags, ...argv.slice(2)];
}

/**
 * The service environment: every configuration variable at its default,
 * then `overrides`. Throws on a name the service does not read.
 */
export function serviceEnv(overrides: Readonly<Record<string, string>>): Record<string, string> {
  for (const name of Object.keys(overrides)) {
    if (!(name in CONFIG)) {
      throw new Error(`${name} is not a service setting (see api/config.ts CONFIG)`);
    }
  }
  const defaults = Object.fromEntries(
    Object.entries(CONFIG).map(([name, spec]) => [name, spec.default]),
  );
  return { ...defaults, ...overrides };
}

/** `env` with the values of secret settings (API keys, session secret) replaced. */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => {
      const spec: ConfigVarSpec | undefined = CONFIG[name as ConfigVar];
      return [name, spec?.secret && value !== "" ? "<redacted>" : value];
    }),
  );
}

/** Parses `K=V` pairs (e.g. repeated `--service-env` flags). */
export function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`expected K=V, got ${JSON.stringify(pair)}`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Options for {@link startBenchService}. */
export interface BenchServiceOptions {
  /** Repository root (holds deno.json). Default ".". */
  root?: string;
  /** Service settings on top of the defaults (PORT, HOST and DB_PATH are the bench's). */
  env?: Readonly<Record<string, string>>;
  /** Extra `deno run` flags, e.g. `["--cpu-prof", "--cpu-prof-dir=…"]`. */
  denoFlags?: readonly string[];
  /** Where the temp directory with the audit log is made. Default `outputs/perf`. */
  tmpParent?: string;
  /** Give up when not ready within this time. Default 60 s. */
  readyTimeoutMs?: number;
}

/** A started service. */
export interface BenchService {
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Spawn → first 200 from `/health/ready`, ms. */
  coldStartMs: number;
  /** "ready in N ms" as the service logged it (its own start-up, after the runtime booted). */
  readyLogMs: number;
  /** The settings it runs with (secrets redacted). */
  env: Record<string, string>;
  /** The temp directory of its audit log. */
  dbDir: string;
  /** Its last output lines. */
  output(): string;
  /** Stops it (SIGTERM: clean shutdown), removes the temp directory, answers the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

async function waitReady(baseUrl: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/health/ready`);
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // Not accepting yet.
    }
    if (performance.now() > deadline) throw new Error(`${baseUrl}/health/ready never answered 200`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Starts the service on an ephemeral port and waits until `/health/ready` answers 200. */
export async function startBenchService(options: BenchServiceOptions = {}): Promise<BenchService> {
  const root = options.root ?? ".";
  const argv = serviceArgv(await readStartTask(root), options.denoFlags);
  const parent = options.tmpParent ?? join("outputs", "perf");
  await mkdir(join(root, parent), { recursive: true });
  const dbDir = await Deno.makeTempDir({ dir: join(root, parent), prefix: "tmp-bench-" });
  const env = serviceEnv({
    ...options.env,
    PORT: "0",
    HOST: "127.0.0.1",
    DB_PATH: join(dbDir, "predictions.sqlite"),
    DB_FALLBACK_PATH: "",
  });
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const t0 = performance.now();
  let child: Child;
  try {
    child = spawnChild(argv[0], { args: argv.slice(1), cwd: root, env: { NO_COLOR: "1", ...env } });
  } catch (err) {
    await Deno.remove(dbDir, { recursive: true });
    throw err;
  }
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    const status = await child.stop(signal);
    await Deno.remove(dbDir, { recursive: true }).catch(() => {});
    return status;
  };
  try {
    const m = await child.waitForLine(SERVICE_READY, { timeoutMs });
    const baseUrl = m[2];
    await waitReady(baseUrl, t0 + timeoutMs);
    return {
      baseUrl,
      coldStartMs: performance.now() - t0,
      readyLogMs: Number(m[1]),
      env: redactEnv(env),
      dbDir,
      output: child.output,
      stop,
    };
  } catch (err) {
    await stop("SIGKILL");
    throw err;
  }
}

/** The hello baseline's start-up line. */
export const HELLO_READY = /hello ready on (http:\/\/127\.0\.0\.1:\d+)/;

/** A started hello server (`scripts/bench_hello.ts`). */
export interface HelloServer {
  baseUrl: string;
  stop(): Promise<Deno.CommandStatus>;
}

/** Starts the bare `Deno.serve` baseline with only `--allow-net=127.0.0.1`. */
export async function startHello(root = "."): Promise<HelloServer> {
  const child = spawnChild("deno", {
    args: ["run", "--allow-net=127.0.0.1", "scripts/bench_hello.ts"],
    cwd: root,
    env: { NO_COLOR: "1" },
  });
  try {
    const m = await child.waitForLine(HELLO_READY, { timeoutMs: 30_000 });
    return { baseUrl: m[1], stop: () => child.stop("SIGTERM") };
  } catch (err) {
    await child.stop("SIGKILL");
    throw err;
  }
}
