/**
 * `deno task bench <suite> [flags]`: the one performance harness. Suites:
 *
 * - `http`: throughput and latency of the service and its baselines, each a
 *   process of its own, in the same run (`scripts/bench/http.ts`);
 * - `profile`: the service under load with `--cpu-prof`: top functions and
 *   CPU µs per request by stage (`profile.ts`);
 * - `pieces`: in-process micro-benchmarks of each piece of a request (`pieces.ts`);
 * - `ids`: the audit log's commit with random against time-ordered request ids (`ids.ts`);
 * - `inprocess`: CPU per request of the whole app in process, against another checkout
 *   in the same process, alternating rounds (`inprocess.ts`);
 * - `model`: reason-code cost per row, and fewer trees against accuracy (`model.ts`);
 * - `scale`: drift and site pages over a large audit log (`scale.ts`);
 * - `comparison`: champion vs challenger reads and pages over a large log (`comparison.ts`).
 *
 * Each writes `outputs/perf/<suite>_latest.json` and prints a markdown table;
 * `deno task bench <suite> --help` lists its flags. `deno task ort:compare`
 * (WASM against native onnxruntime) stays a task of its own: it fetches a
 * package the project does not depend on.
 *
 * @module
 */
import { mkdir } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { UsageError } from "../lib/flags.ts";
import type { SuiteReport, SuiteRun } from "./stats.ts";

/** What a suite module exports. */
export interface Suite {
  USAGE: string;
  run: SuiteRun;
}

/** The suites, loaded on demand (only `pieces` and `model` need onnxruntime in this process). */
export const SUITES: Readonly<Record<string, () => Promise<Suite>>> = {
  http: () => import("./http.ts"),
  profile: () => import("./profile.ts"),
  pieces: () => import("./pieces.ts"),
  ids: () => import("./ids.ts"),
  inprocess: () => import("./inprocess.ts"),
  model: () => import("./model.ts"),
  scale: () => import("./scale.ts"),
  comparison: () => import("./comparison.ts"),
};

/** The 1, 5 and 15 minute load averages (others' work on this shared machine); null without --allow-sys=loadavg. */
function loadAverage(): number[] | null {
  try {
    return os.loadavg().map((x) => Math.round(x * 100) / 100);
  } catch {
    return null;
  }
}

/** Runs suite `name` and writes `<outDir>/<name>_latest.json`; answers the report and the file. */
export async function runSuite(
  name: string,
  args: readonly string[],
  options: { outDir?: string; log?: (line: string) => void } = {},
): Promise<SuiteReport & { file: string }> {
  const load = SUITES[name];
  if (!load) throw new UsageError(`unknown suite ${JSON.stringify(name)}`);
  const started = performance.now();
  const loadBefore = loadAverage();
  const report = await (await load()).run(args, options.log ?? ((line) => console.error(line)));
  const loadAfter = loadAverage();
  const outDir = options.outDir ?? "outputs/perf";
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `${name}_latest.json`);
  const json = {
    suite: name,
    args,
    generated_at: new Date().toISOString(),
    seconds: Math.round(performance.now() - started) / 1000,
    machine: {
      cores: navigator.hardwareConcurrency,
      deno: Deno.version.deno,
      loadBefore,
      loadAfter,
    },
    ...report.json,
  };
  await Deno.writeTextFile(file, JSON.stringify(json, null, 2) + "\n");
  const machine = `${json.machine.cores} cores, Deno ${json.machine.deno}, load average ` +
    `${loadBefore?.join(" ") ?? "?"} → ${loadAfter?.join(" ") ?? "?"}, ${json.seconds} s`;
  return { ...report, markdown: `${report.markdown}\n\n${machine}`, file };
}

const USAGE = `usage: deno task bench <${
  Object.keys(SUITES).join("|")
}> [flags]  (--help: a suite's flags)`;

if (import.meta.main) {
  const [name, ...args] = Deno.args;
  try {
    if (name === undefined || name === "--help" || name === "-h") {
      console.log(USAGE);
    } else if (args.includes("--help") || args.includes("-h")) {
      const load = SUITES[name];
      if (!load) throw new UsageError(`unknown suite ${JSON.stringify(name)}`);
      console.log(`usage: ${(await load()).USAGE}`);
    } else {
      const { markdown, file } = await runSuite(name, args);
      console.log(`${markdown}\n\nwritten: ${file}`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`bench: ${err.message}\n${USAGE}`);
    Deno.exit(2);
  }
}
