/**
 * `deno task profile`: where the service spends its CPU under load. Starts
 * the service (the `start` task's command and permissions) under `deno run
 * --cpu-prof`, drives `--concurrency` clients at /predict (and/or
 * /predict_batch) for `--duration` s, stops it with SIGINT (the service
 * shuts down cleanly and exits through `Deno.exit`, which writes the
 * profile), and prints the top functions by self and inclusive time, and
 * self time per file and per package/area.
 *
 *   deno task profile [--route predict|batch|both] [--duration 10] [--concurrency 32]
 *     [--batch-size 200] [--top 25] [--interval 250] [--service-env K=V ...]
 *     [--out outputs/perf/profile_latest.json] [--keep-profile] [--generator auto|wrk|fetch]
 *
 * The raw `.cpuprofile` (open it in Chrome DevTools → Performance) is kept
 * with `--keep-profile` (in outputs/perf/tmp-work-…/), otherwise removed.
 * Samples taken before the service was ready (start-up: module loading, WASM
 * compilation) are left out. The writer thread has its own profile, printed
 * after the main thread's.
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseFlags } from "./lib/flags.ts";
import { batchBodies, loadBenchRows, predictBodies } from "./bench/bodies.ts";
import {
  chooseGenerator,
  intFlag,
  makeWorkDir,
  UsageError,
  writeJson,
} from "./bench/cli_common.ts";
import {
  type CostEntry,
  type CpuProfile,
  type ProfileSummary,
  summariseCpuProfile,
} from "./bench/cpuprofile_summary.ts";
import { loadAverage } from "./bench/machine_info.ts";
import { type LoadSettings, measureThroughput, type ThroughputResult } from "./bench/measure.ts";
import { fmt, markdownTable } from "./bench/report.ts";
import { parseEnvPairs, startBenchService } from "./bench/service.ts";

const USAGE =
  `usage: deno task profile [--route predict|batch|both] [--duration 10] [--concurrency 32]
  [--batch-size 200] [--top 25] [--interval 250] [--service-env K=V ...]
  [--out outputs/perf/profile_latest.json] [--keep-profile] [--generator auto|wrk|fetch]`;

function parseBenchFlags(args: string[]) {
  const values = parseFlags(args, {
    route: { type: "string" },
    duration: { type: "string" },
    concurrency: { type: "string" },
    "batch-size": { type: "string" },
    top: { type: "string" },
    interval: { type: "string" },
    "service-env": { type: "string", multiple: true },
    out: { type: "string" },
    "keep-profile": { type: "boolean" },
    generator: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const route = values.route ?? "predict";
  if (!["predict", "batch", "both"].includes(route)) {
    throw new UsageError(`--route must be predict, batch or both (got ${route})`);
  }
  return {
    help: values.help ?? false,
    route,
    durationS: intFlag("duration", values.duration, 10),
    concurrency: intFlag("concurrency", values.concurrency, 32),
    batchSize: intFlag("batch-size", values["batch-size"], 200),
    top: intFlag("top", values.top, 25),
    intervalUs: intFlag("interval", values.interval, 250, 50),
    serviceEnv: parseEnvPairs(values["service-env"] ?? []),
    out: values.out ?? "outputs/perf/profile_latest.json",
    keep: values["keep-profile"] ?? false,
    generator: values.generator,
  };
}

function costTable(title: string, entries: readonly CostEntry[], top: number, total: boolean) {
  return markdownTable(
    total ? [title, "self ms", "self %", "total ms", "total %"] : [title, "self ms", "self %"],
    entries.slice(0, top).map((e) =>
      total
        ? [e.key, fmt(e.selfMs), fmt(e.selfPct), fmt(e.totalMs), fmt(e.totalPct)]
        : [e.key, fmt(e.selfMs), fmt(e.selfPct)]
    ),
  );
}

async function findProfiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".cpuprofile")) out.push(`${dir}/${e.name}`);
  }
  return out.sort();
}

async function main(args: string[]): Promise<number> {
  const flags = parseBenchFlags(args);
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const generator = await chooseGenerator(flags.generator);
  const { rows } = await loadBenchRows();
  const workDir = await makeWorkDir();
  const profileDir = `${workDir}/profile`;
  await Deno.mkdir(profileDir);
  const service = await startBenchService({
    env: flags.serviceEnv,
    denoFlags: [
      "--cpu-prof",
      `--cpu-prof-dir=${resolve(profileDir)}`,
      `--cpu-prof-interval=${flags.intervalUs}`,
    ],
  });
  const runs: Record<string, ThroughputResult> = {};
  let status: Deno.CommandStatus;
  try {
    const load: LoadSettings = {
      generator,
      concurrency: flags.concurrency,
      durationS: flags.durationS,
      wrkThreads: 1,
      workDir,
    };
    if (flags.route !== "batch") {
      console.error(
        `profile: /predict, c = ${flags.concurrency}, ${flags.durationS} s (${generator}) …`,
      );
      runs.predict = await measureThroughput({
        baseUrl: service.baseUrl,
        path: "/predict",
        bodies: predictBodies(rows),
        rowsPerRequest: 1,
        metricsRoute: "POST /predict",
      }, load);
    }
    if (flags.route !== "predict") {
      console.error(`profile: /predict_batch (${flags.batchSize} rows) …`);
      runs.batch = await measureThroughput({
        baseUrl: service.baseUrl,
        path: "/predict_batch",
        bodies: batchBodies(rows, flags.batchSize),
        rowsPerRequest: flags.batchSize,
        metricsRoute: "POST /predict_batch",
      }, load);
    }
  } finally {
    // SIGINT: the service's clean shutdown ends in Deno.exit(0), which writes the profile.
    status = await service.stop("SIGINT");
  }
  const files = await findProfiles(profileDir);
  console.error(
    `profile: service exited with code ${status.code} after SIGINT; ${files.length} profile file(s)`,
  );
  if (files.length === 0) {
    console.error(`profile: no .cpuprofile was written; service output:\n${service.output()}`);
    return 1;
  }
  const root = pathToFileURL(resolve(".")).href;
  const profiles = await Promise.all(
    files.map(async (file) => ({
      file,
      profile: JSON.parse(await Deno.readTextFile(file)) as CpuProfile,
    })),
  );
  // Start-up is not what the load costs: drop the samples taken before the
  // service was ready (profile clocks are the process's monotonic clock; the
  // main isolate's profile starts first).
  const mainStart = Math.min(...profiles.map((p) => p.profile.startTime));
  const cutoff = mainStart + service.coldStartMs * 1000;
  const summaries: Array<{ file: string; summary: ProfileSummary }> = profiles.map((p) => ({
    file: p.file,
    summary: summariseCpuProfile(p.profile, {
      root,
      skipMs: Math.max(0, (cutoff - p.profile.startTime) / 1000),
    }),
  }));
  // Main thread first: Deno names a worker's profile `….worker-N.cpuprofile`.
  const isWorker = (file: string) => /\.worker-\d+\.cpuprofile$/.test(file);
  summaries.sort((a, b) => Number(isWorker(a.file)) - Number(isWorker(b.file)));
  for (const [i, { file, summary: s }] of summaries.entries()) {
    console.log(
      `\n## ${isWorker(file) ? "worker thread (audit-log writer)" : "main thread"}: ` +
        `${file.split("/").pop()}\n\n` +
        `wall ${fmt(s.wallMs)} ms (the first ${fmt(service.coldStartMs)} ms, start-up, skipped), ` +
        `busy ${fmt(s.busyMs)} ms, idle ${fmt(s.idleMs)} ms, ` +
        `(program) ${fmt(s.programMs)} ms, GC ${fmt(s.gcMs)} ms, ${s.samples} samples ` +
        `(percentages are of busy time)\n`,
    );
    const top = i === 0 ? flags.top : Math.min(10, flags.top);
    console.log(costTable("package / area", s.packages, top, false) + "\n");
    console.log(costTable("function (by self time)", s.functions, top, true) + "\n");
    if (i === 0) {
      const byTotal = [...s.functions].sort((a, b) => b.totalMs - a.totalMs);
      console.log(costTable("function (by inclusive time)", byTotal, top, true) + "\n");
      console.log(costTable("file", s.files, top, false) + "\n");
    }
  }
  const loadLine = Object.entries(runs).map(([k, r]) =>
    `${k}: ${fmt(r.requestsPerS)} req/s, server p50 ${fmt(r.server?.p50)} ms, ` +
    `CPU ${fmt(r.internals?.cpuUsPerRequest)} µs/req`
  ).join("; ");
  console.log(`load during the profile (slowed by the profiler): ${loadLine}`);
  await writeJson(flags.out, {
    schema: "scorewatch-profile/1",
    generated_at: new Date().toISOString(),
    args,
    load_average: loadAverage(),
    service_exit_code: status.code,
    interval_us: flags.intervalUs,
    runs,
    profiles: summaries.map(({ file, summary }) => ({
      file: flags.keep ? file : null,
      ...summary,
      functions: summary.functions.slice(0, 100),
      files: summary.files.slice(0, 100),
    })),
  });
  if (flags.keep) console.log(`kept: ${files.join(", ")}`);
  else await Deno.remove(workDir, { recursive: true });
  console.log(`written: ${flags.out}`);
  return status.code === 0 ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`profile: ${err.message}\n${USAGE}`);
      Deno.exit(2);
    }
    throw err;
  }
}
