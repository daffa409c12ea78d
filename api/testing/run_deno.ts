/**
 * Runs a Deno script as a subprocess for CLI tests and collects its exit code
 * and output.
 *
 * @module
 */

/** What a finished run printed. */
export interface DenoRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link runDenoScript}. */
export interface RunDenoOptions {
  /** `--allow-…` flags, as for the script's deno task (narrowed to the test's temp dir). */
  permissions: readonly string[];
  /** Working directory (the repository root). */
  cwd: string;
  /** Environment besides `NO_COLOR=1` (e.g. `DATABASE_URL`). */
  env?: Record<string, string>;
}

/** `deno run <permissions> <script> <args…>` with `NO_COLOR=1`; waits for it to end. */
export async function runDenoScript(
  script: string,
  args: readonly string[],
  options: RunDenoOptions,
): Promise<DenoRun> {
  const out = await new Deno.Command("deno", {
    args: ["run", ...options.permissions, script, ...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
