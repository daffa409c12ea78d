/**
 * `deno task bench:matrix`: the before/after table of the scoring path in
 * one run. Each variant switches optimisations off through the service's
 * settings (see `scripts/bench/matrix.ts`): (a) commit per request inline and
 * one ONNX run per request, (b) + group commit, (c) + writer thread, (d) +
 * coalesced ONNX runs = defaults, (e) defaults with DB_SYNCHRONOUS=NORMAL for
 * reference. For each round and variant (rotated order per round): start the
 * service (cold start), a hello throughput run right before the variant's
 * /predict throughput run (the ratio uses this adjacent pair), `--n`
 * sequential /predict requests, stop. Medians over the rounds.
 *
 *   deno task bench:matrix [--rounds 3] [--duration 8] [--concurrency 32] [--n 200]
 *     [--variants a,b,c,d,e] [--out outputs/perf/bench_matrix.json] [--label TEXT]
 *     [--generator auto|wrk|fetch] [--wrk-threads 1]
 *
 * @module
 */
import { parseFlags } from "./lib/flags.ts";
import { loadBenchRows, predictBodies } from "./bench/bodies.ts";
import {
  chooseGenerator,
  intFlag,
  makeWorkDir,
  UsageError,
  writeJson,
} from "./bench/cli_common.ts";
import { loadAverage, machineInfo } from "./bench/machine_info.ts";
import {
  matrixTable,
  roundOrder,
  selectVariants,
  summariseVariant,
  type Variant,
  type VariantRound,
} from "./bench/matrix.ts";
import { type LoadSettings, measureThroughput } from "./bench/measure.ts";
import { runSequential } from "./bench/sequential.ts";
import { type HelloServer, startBenchService, startHello } from "./bench/service.ts";

const USAGE =
  `usage: deno task bench:matrix [--rounds 3] [--duration 8] [--concurrency 32] [--n 200]
  [--variants a,b,c,d,e] [--out outputs/perf/bench_matrix.json] [--label TEXT]
  [--generator auto|wrk|fetch] [--wrk-threads 1]`;

function parseBenchFlags(args: string[]) {
  const values = parseFlags(args, {
    rounds: { type: "string" },
    duration: { type: "string" },
    concurrency: { type: "string" },
    n: { type: "string" },
    variants: { type: "string" },
    out: { type: "string" },
    label: { type: "string" },
    generator: { type: "string" },
    "wrk-threads": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  let variants: Variant[];
  try {
    variants = selectVariants(values.variants);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    help: values.help ?? false,
    rounds: intFlag("rounds", values.rounds, 3),
    durationS: intFlag("duration", values.duration, 8),
    concurrency: intFlag("concurrency", values.concurrency, 32),
    n: intFlag("n", values.n, 200),
    variants,
    out: values.out ?? "outputs/perf/bench_matrix.json",
    label: values.label ?? null,
    generator: values.generator,
    wrkThreads: intFlag("wrk-threads", values["wrk-threads"], 1),
  };
}

async function main(args: string[]): Promise<number> {
  const flags = parseBenchFlags(args);
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const generator = await chooseGenerator(flags.generator);
  const { rows, modelVersion } = await loadBenchRows();
  const bodies = predictBodies(rows);
  const workDir = await makeWorkDir();
  const machine = await machineInfo();
  const load: LoadSettings = {
    generator,
    concurrency: flags.concurrency,
    durationS: flags.durationS,
    wrkThreads: flags.wrkThreads,
    workDir,
  };
  const results = new Map<string, VariantRound[]>(flags.variants.map((v) => [v.id, []]));
  let hello: HelloServer | undefined;
  try {
    hello = await startHello();
    for (let r = 0; r < flags.rounds; r++) {
      for (const v of roundOrder(flags.variants, r)) {
        console.error(`matrix: round ${r + 1}/${flags.rounds}, variant (${v.id}) …`);
        const service = await startBenchService({ env: v.env });
        try {
          const helloRun = await measureThroughput({
            baseUrl: hello.baseUrl,
            path: "/predict",
            bodies,
            rowsPerRequest: 1,
          }, load);
          const predict = await measureThroughput({
            baseUrl: service.baseUrl,
            path: "/predict",
            bodies,
            rowsPerRequest: 1,
            metricsRoute: "POST /predict",
          }, load);
          const sequential = await runSequential({
            url: `${service.baseUrl}/predict`,
            bodies,
            n: flags.n,
          });
          results.get(v.id)!.push({
            round: r,
            coldStartMs: service.coldStartMs,
            readyLogMs: service.readyLogMs,
            hello: helloRun,
            predict,
            sequential,
          });
        } finally {
          const status = await service.stop();
          if (status.code !== 0) {
            console.error(
              `matrix: variant (${v.id}) exited with ${status.code}:\n${service.output()}`,
            );
          }
        }
      }
    }
  } finally {
    await hello?.stop();
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
  const summaries = flags.variants.map((v) => summariseVariant(v, results.get(v.id)!));
  const table = matrixTable(summaries, flags.concurrency);
  const loadAfter = loadAverage();
  await writeJson(flags.out, {
    schema: "scorewatch-bench-matrix/1",
    label: flags.label,
    generated_at: new Date().toISOString(),
    args,
    machine: { ...machine, loadAverageAfter: loadAfter },
    model_version: modelVersion,
    settings: {
      rounds: flags.rounds,
      duration_s: flags.durationS,
      concurrency: flags.concurrency,
      n: flags.n,
      generator,
      wrk_threads: generator === "wrk" ? flags.wrkThreads : null,
      baseline: "scripts/bench_hello.ts, run right before each variant with the same bodies",
    },
    summary: summaries,
    rounds: Object.fromEntries(results),
    markdown: table,
  });
  const label = flags.label ? ` — ${flags.label}` : "";
  console.log(
    `\n## /predict before/after${label} (model ${modelVersion}, ${machine.cores} cores, ` +
      `${generator} c=${flags.concurrency}, ${flags.durationS} s × ${flags.rounds} rounds, medians; ` +
      `load avg ${machine.loadAverage?.join(" ") ?? "?"} → ${loadAfter?.join(" ") ?? "?"})\n`,
  );
  console.log(table);
  console.log(`\nwritten: ${flags.out}`);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`bench:matrix: ${err.message}\n${USAGE}`);
      Deno.exit(2);
    }
    throw err;
  }
}
