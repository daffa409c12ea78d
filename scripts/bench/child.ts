/**
 * A child process whose output is read line by line: wait for a line
 * matching a pattern (a server's "ready … on http://…" line), keep the last
 * lines for error messages, stop it with a signal.
 *
 * @module
 */

/** A running child process. */
export interface Child {
  readonly process: Deno.ChildProcess;
  /** Resolves with the first line (stdout or stderr) matching `pattern`. */
  waitForLine(pattern: RegExp, options?: { timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** The last lines printed (stdout and stderr interleaved), for diagnostics. */
  output(): string;
  /** Sends `signal` (default SIGTERM) unless it has ended, and waits for it to end. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Options for {@link spawnChild}. */
export interface SpawnChildOptions {
  args: string[];
  cwd?: string;
  /** Added to (and overriding) the inherited environment. */
  env?: Record<string, string>;
  /** Lines kept for {@link Child.output}. Default 60. */
  keepLines?: number;
}

async function pumpLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const bytes of stream) {
    const parts = (rest + decoder.decode(bytes, { stream: true })).split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) onLine(line);
  }
  if (rest) onLine(rest);
}

/** Starts `command` with piped output. */
export function spawnChild(command: string, options: SpawnChildOptions): Child {
  const process = new Deno.Command(command, {
    args: options.args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const keep = options.keepLines ?? 60;
  const lines: string[] = [];
  const watchers = new Set<(line: string) => void>();
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > keep) lines.shift();
    for (const watch of watchers) watch(line);
  };
  const pumps = Promise.all([pumpLines(process.stdout, onLine), pumpLines(process.stderr, onLine)]);
  let ended = false;
  process.status.then(() => (ended = true));

  const output = () => lines.join("\n");
  return {
    process,
    output,
    waitForLine(pattern, { timeoutMs = 60_000 } = {}) {
      for (const line of lines) {
        const m = line.match(pattern);
        if (m) return Promise.resolve(m);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output()}`));
        }, timeoutMs);
        const watch = (line: string) => {
          const m = line.match(pattern);
          if (m) {
            finish();
            resolve(m);
          }
        };
        const finish = () => {
          clearTimeout(timer);
          watchers.delete(watch);
        };
        watchers.add(watch);
        process.status.then(async (s) => {
          if (!watchers.has(watch)) return;
          await pumps; // the matching line may still be in the pipe
          if (!watchers.has(watch)) return;
          finish();
          reject(
            new Error(
              `${command} exited (code ${s.code}) before printing ${pattern}:\n${output()}`,
            ),
          );
        });
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
      const status = await process.status;
      await pumps;
      return status;
    },
  };
}
