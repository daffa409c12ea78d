/**
 * Runs the real service as a child process, exactly as `deno task start`
 * does (the command and permissions are read from deno.json's `start` task),
 * on a given database and an ephemeral port on 127.0.0.1.
 *
 * @module
 */
import { join } from "node:path";

/** A running service. */
export interface ServiceProcess {
  /** `http://127.0.0.1:<port>`, read from the service's "ready … on http://…" line. */
  baseUrl: string;
  child: Deno.ChildProcess;
  /** The last lines the service printed (stdout and stderr), for diagnostics. */
  output(): string;
  /** Sends `signal` and waits for the process to end. */
  stop(signal: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Options for {@link startService}. */
export interface StartServiceOptions {
  /** Repository root (holds deno.json). */
  root: string;
  dbPath: string;
  /** Directory of the database: added to the start task's read and write permissions. */
  dbDir: string;
  /** Extra environment (on top of the inherited one). */
  env?: Record<string, string>;
  /** Give up (and kill the process) when not ready within this time. Default 60 s. */
  readyTimeoutMs?: number;
  /** Listen on this port (e.g. a replica restarted on its old port). Default: an ephemeral one. */
  port?: number;
}

const READY = /ready\b.*? on (http:\/\/127\.0\.0\.1:\d+)/;
const KEEP_LINES = 40;

/**
 * The `start` task's `deno run` command (its last step: build steps before
 * `&&` are skipped) with `dir` appended to `--allow-read` and `--allow-write`
 * (the only change: same flags, same entry point).
 */
export function startTaskArgv(task: string, dir: string): string[] {
  const step = task.split("&&").map((s) => s.trim()).findLast((s) => /^deno\s+run\s/.test(s));
  if (step === undefined) throw new Error(`the start task has no "deno run" step: ${task}`);
  const argv = step.split(/\s+/);
  const widened = new Set<string>();
  const out = argv.map((arg) => {
    const m = arg.match(/^--allow-(read|write)=(.*)$/);
    if (!m) return arg;
    widened.add(m[1]);
    return `--allow-${m[1]}=${m[2]},${dir}`;
  });
  for (const kind of ["read", "write"]) {
    if (!widened.has(kind)) out.splice(2, 0, `--allow-${kind}=${dir}`);
  }
  return out;
}

/**
 * Runs the task shell's command substitutions (`$(deno run … scripts/net_allowance.ts)`)
 * as `deno task` would, with `env` on top of the inherited environment, and
 * puts their output in their place.
 */
export async function expandSubstitutions(
  task: string,
  root: string,
  env: Record<string, string>,
): Promise<string> {
  let out = task;
  for (const m of task.matchAll(/\$\(([^)]*)\)/g)) {
    const [command, ...args] = m[1].trim().split(/\s+/);
    const result = await new Deno.Command(command, { args, cwd: root, env, stderr: "inherit" })
      .output();
    if (!result.success) throw new Error(`\`${m[1]}\` failed in the task ${task}`);
    out = out.replace(m[0], new TextDecoder().decode(result.stdout).trim());
  }
  return out;
}

/** Reads the `start` task of `<root>/deno.json`. */
export async function readStartTask(root: string): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const task = config.tasks?.start;
  if (typeof task !== "string") throw new Error("deno.json has no string `start` task");
  return task;
}

/** Keeps reading a stream line by line, remembering the last lines. */
async function pump(
  stream: ReadableStream<Uint8Array>,
  lines: string[],
  onLine: (line: string) => void,
) {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const bytes of stream) {
    const parts = (rest + decoder.decode(bytes, { stream: true })).split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (lines.length > KEEP_LINES) lines.shift();
      onLine(line);
    }
  }
}

/** Starts the service and resolves once it listens. */
export async function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  const env = {
    NO_COLOR: "1",
    // SQLite at DB_PATH unless the caller names a database: a DATABASE_URL or WORKERS exported
    // in the developer's shell must not change what a test runs.
    DATABASE_URL: "",
    WORKERS: "1",
    ...options.env,
    DB_PATH: options.dbPath,
    DB_FALLBACK_PATH: "",
    HOST: "127.0.0.1",
    PORT: options.port === undefined ? "0" : String(options.port),
  };
  const task = await expandSubstitutions(await readStartTask(options.root), options.root, env);
  const argv = startTaskArgv(task, options.dbDir);
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: options.root,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const ready = Promise.withResolvers<string>();
  const pumps = Promise.all([
    pump(child.stdout, lines, (line) => {
      const m = line.match(READY);
      if (m) ready.resolve(m[1]);
    }),
    pump(child.stderr, lines, () => {}),
  ]);
  const output = () => lines.join("\n");
  const stop = async (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // Already ended.
    }
    const status = await child.status;
    await pumps;
    return status;
  };
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
    child.status.then((s) => reject(new Error(`the service exited (code ${s.code}) before ready`)));
  });
  try {
    const baseUrl = await Promise.race([ready.promise, failed]);
    return { baseUrl, child, output, stop };
  } catch (err) {
    await stop("SIGKILL");
    throw new Error(`${(err as Error).message}; service output:\n${output()}`);
  } finally {
    clearTimeout(timer);
    failed.catch(() => {});
  }
}
