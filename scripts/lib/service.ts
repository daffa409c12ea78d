/**
 * The one process spawner of the tools and tests: a child whose output is
 * read line by line (wait for a line, keep the last lines for error messages,
 * stop with a signal), and the real service run exactly as a deno.json task
 * runs it — the task's own `deno run` command and permission flags, widened
 * only to a temp directory for the audit log — on an ephemeral port.
 *
 * Users: the crash tests, the shutdown test (main_test.ts), the
 * bring-your-own-model end-to-end test, `deno task bench` (its baseline
 * servers, the service variants, the profiled service, and the `drift`
 * task's command for the scale suite).
 *
 * @module
 */
import { join } from "node:path";
import { CONFIG, type ConfigVar } from "../../api/config.ts";

/** The repository root (holds deno.json). */
export const ROOT = new URL("../..", import.meta.url).pathname;

/** A running child process. */
export interface Child {
  readonly process: Deno.ChildProcess;
  /** Resolves with the first output line (stdout or stderr) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The last lines printed (stdout and stderr interleaved), for diagnostics. */
  output(): string;
  /** Sends `signal` (default SIGTERM) unless it has ended, and waits for the end. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

async function pumpLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const bytes of stream) {
    const parts = (rest + decoder.decode(bytes, { stream: true })).split("\n");
    rest = parts.pop() ?? "";
    parts.forEach(onLine);
  }
  if (rest) onLine(rest);
}

/** Starts `argv` with piped output, `env` on top of the inherited environment. */
export function spawnChild(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Child {
  const process = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const watchers = new Set<(line: string) => void>();
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > 60) lines.shift();
    for (const watch of watchers) watch(line);
  };
  const pumps = Promise.all([pumpLines(process.stdout, onLine), pumpLines(process.stderr, onLine)]);
  let ended = false;
  const status = process.status.then(async (s) => {
    await pumps; // a line printed just before the end may still be in the pipe
    ended = true;
    return s;
  });
  const output = () => lines.join("\n");
  return {
    process,
    output,
    waitForLine(pattern, timeoutMs = 60_000) {
      const seen = lines.map((line) => line.match(pattern)).find((m) => m);
      if (seen) return Promise.resolve(seen);
      const { promise, resolve, reject } = Promise.withResolvers<RegExpMatchArray>();
      const watch = (line: string) => {
        const m = line.match(pattern);
        if (m) resolve(m);
      };
      watchers.add(watch);
      const timer = setTimeout(
        () => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output()}`)),
        timeoutMs,
      );
      status.then((s) =>
        reject(
          new Error(`${argv[0]} exited (code ${s.code}) before printing ${pattern}:\n${output()}`),
        )
      );
      return promise.finally(() => {
        clearTimeout(timer);
        watchers.delete(watch);
      });
    },
    async stop(signal: Deno.Signal = "SIGTERM") {
      if (!ended) {
        try {
          process.kill(signal);
        } catch {
          // It ended meanwhile.
        }
      }
      return await status;
    },
  };
}

/**
 * Runs a task's shell command substitutions (`$(deno run … scripts/net_allowance.ts)`) as
 * `deno task` would, with `env` on top of the inherited environment, and puts their output in
 * their place.
 */
export async function expandSubstitutions(
  task: string,
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  let out = task;
  for (const m of task.matchAll(/\$\(([^)]*)\)/g)) {
    const [command, ...args] = m[1].trim().split(/\s+/);
    const result = await new Deno.Command(command, { args, cwd: ROOT, env, stderr: "inherit" })
      .output();
    if (!result.success) throw new Error(`\`${m[1]}\` failed in the task ${task}`);
    out = out.replace(m[0], new TextDecoder().decode(result.stdout).trim());
  }
  return out;
}

/**
 * The `deno run` step of deno.json task `name` (build steps before `&&` are
 * skipped) with `dir` added to `--allow-read` and `--allow-write` and
 * `denoFlags` (e.g. `--cpu-prof`) after `run`: the same command, flags and
 * entry point, and nothing else.
 */
export function taskArgv(task: string, dir: string, denoFlags: readonly string[] = []): string[] {
  const step = task.split("&&").map((s) => s.trim()).findLast((s) => /^deno\s+run\s/.test(s));
  if (step === undefined) throw new Error(`the task has no "deno run" step: ${task}`);
  const [deno, run, ...rest] = step.split(/\s+/);
  const widened = new Set<string>();
  const flags = rest.map((arg) => {
    const m = arg.match(/^--allow-(read|write)=(.*)$/);
    if (!m) return arg;
    widened.add(m[1]);
    return `--allow-${m[1]}=${m[2]},${dir}`;
  });
  const added = ["read", "write"].filter((k) => !widened.has(k)).map((k) => `--allow-${k}=${dir}`);
  return [deno, run, ...denoFlags, ...added, ...flags];
}

/**
 * Task `name` of `<ROOT>/deno.json`, as {@link taskArgv} runs it, its command
 * substitutions evaluated with `env` (see {@link expandSubstitutions}).
 */
export async function readTaskArgv(
  name: string,
  dir: string,
  options: { denoFlags?: readonly string[]; env?: Readonly<Record<string, string>> } = {},
): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const task = config.tasks?.[name];
  if (typeof task !== "string") throw new Error(`deno.json has no string task "${name}"`);
  return taskArgv(await expandSubstitutions(task, options.env), dir, options.denoFlags);
}

/**
 * The service environment: every setting at its default, then `overrides`,
 * so a variable exported in the caller's shell cannot change what a test or
 * bench runs. Throws on a name the service does not read.
 */
export function serviceEnv(overrides: Readonly<Record<string, string>>): Record<string, string> {
  const unknown = Object.keys(overrides).filter((name) => !(name in CONFIG));
  if (unknown.length) {
    throw new Error(`${unknown.join(", ")}: not a service setting (see api/config.ts CONFIG)`);
  }
  const defaults = Object.entries(CONFIG).map(([name, spec]) => [name, spec.default]);
  return { ...Object.fromEntries(defaults), ...overrides };
}

/** Options for {@link startService}. */
export interface ServiceOptions {
  /** Directory of the audit log, kept on stop. Default: a fresh temp directory, removed on stop. */
  dbDir?: string;
  /** Settings on top of the defaults (PORT, HOST, DB_PATH and DB_FALLBACK_PATH are set here). */
  env?: Readonly<Record<string, string>>;
  /** Extra `deno run` flags, e.g. `["--cpu-prof"]`. */
  denoFlags?: readonly string[];
  /** Give up (and kill it) when not ready within this time. Default 60 s. */
  readyTimeoutMs?: number;
  /** Listen on this port (e.g. a replica restarted on its old port). Default: an ephemeral one. */
  port?: number;
}

/** A running service. */
export interface Service {
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  dbPath: string;
  /** Spawn → first 200 from `/health/ready`, ms. */
  coldStartMs: number;
  /** Its last output lines. */
  output(): string;
  /** Resolves with the first output line matching `pattern` (printed already, or to come). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` and returns at once (SIGHUP: rescan the model directories). */
  signal(signal: Deno.Signal): void;
  /** Sends `signal` (default SIGTERM), waits for the end, removes a temp audit-log directory. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** The service's start-up line: "scorewatch: model … ready in 412 ms on http://127.0.0.1:40123". */
const SERVICE_READY = /ready in \d+ ms on (http:\/\/127\.0\.0\.1:\d+)/;

/** Starts the service as `deno task start` does and resolves once `/health/ready` answers 200. */
export async function startService(options: ServiceOptions = {}): Promise<Service> {
  const ownDir = options.dbDir === undefined;
  const dbDir = options.dbDir ?? await Deno.makeTempDir({ prefix: "scorewatch_service_" });
  const dbPath = join(dbDir, "predictions.sqlite");
  const removeDir = () => ownDir ? Deno.remove(dbDir, { recursive: true }).catch(() => {}) : null;
  const env = serviceEnv(
    {
      ...options.env,
      PORT: String(options.port ?? 0),
      HOST: "127.0.0.1",
      DB_PATH: dbPath,
      DB_FALLBACK_PATH: "",
    } satisfies Partial<Record<ConfigVar, string>>,
  );
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const t0 = performance.now();
  const argv = await readTaskArgv("start", dbDir, { denoFlags: options.denoFlags, env });
  const child = spawnChild(argv, { env });
  const stop = async (signal?: Deno.Signal) => {
    const status = await child.stop(signal);
    await removeDir();
    return status;
  };
  try {
    const [, baseUrl] = await child.waitForLine(SERVICE_READY, timeoutMs);
    for (;;) {
      const res = await fetch(`${baseUrl}/health/ready`);
      await res.body?.cancel();
      if (res.status === 200) break;
      if (performance.now() - t0 > timeoutMs) throw new Error("/health/ready never answered 200");
      await new Promise((r) => setTimeout(r, 5));
    }
    return {
      baseUrl,
      dbPath,
      coldStartMs: performance.now() - t0,
      output: child.output,
      waitForLine: child.waitForLine,
      signal: (signal) => child.process.kill(signal),
      stop,
    };
  } catch (err) {
    await stop("SIGKILL");
    throw new Error(`${(err as Error).message}\nservice output:\n${child.output()}`);
  }
}
