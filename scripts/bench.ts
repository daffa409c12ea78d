/**
 * `deno task bench`: latency and throughput of the scoring API, next to a
 * bare `Deno.serve` hello route measured in the same run with the same load
 * generator (the machine is noisy: compare ratios, not absolute numbers).
 *
 *   deno task bench [--base-url http://127.0.0.1:8000] [--n 200] [--batch-size 200]
 *     [--concurrency 32] [--duration 10] [--rounds 1] [--out outputs/perf/bench_latest.json]
 *     [--api-key KEY] [--service-env K=V ...] [--label TEXT] [--generator auto|wrk|fetch]
 *     [--wrk-threads 1] [--paced-rps 1000]
 *
 * Without `--base-url` it starts the service itself (the `start` task's
 * command and permissions, a temp audit log under outputs/perf, removed
 * afterwards) and measures its cold start. Measured per run:
 * - sequential (`--n` requests each, after a warm-up): /predict,
 *   /predict?explain=1, /predict_batch and /predict_batch?explain=1 with
 *   `--batch-size` rows: client min/mean/p50/p95/p99/max and the server's
 *   own `latency_ms`;
 * - throughput (`--concurrency` clients for `--duration` s, `--rounds`
 *   times, median): hello, /predict, /predict_batch: requests/s, rows/s,
 *   client latency, server latency from the `http_request_duration_seconds`
 *   histogram (scrapes of /metrics before and after), errors (non-2xx);
 *   then GET on hello and GET /health/live (what Hono and the global
 *   middleware cost), and /predict paced to about `--paced-rps` (each client
 *   pauses concurrency / rate after each answer; 0 = skip): a closed loop at
 *   saturation has latency = concurrency / throughput (Little's law), so
 *   latency targets are also checked below saturation.
 * Writes JSON to `--out` and prints markdown tables and the targets.
 *
 * @module
 */
import { parseFlags } from "./lib/flags.ts";
import { batchBodies, loadBenchRows, predictBodies } from "./bench/bodies.ts";
import {
  chooseGenerator,
  intFlag,
  localBaseUrl,
  makeWorkDir,
  serviceModelVersion,
  UsageError,
  writeJson,
} from "./bench/cli_common.ts";
import { loadAverage, machineInfo } from "./bench/machine_info.ts";
import {
  type LoadSettings,
  measureSequential,
  measureThroughput,
  medianThroughput,
  type ThroughputResult,
} from "./bench/measure.ts";
import {
  type BenchFigures,
  checkTargets,
  deriveFigures,
  internalsTable,
  sequentialTable,
  targetsTable,
  throughputTable,
} from "./bench/report.ts";
import { runSequential } from "./bench/sequential.ts";
import {
  type BenchService,
  type HelloServer,
  parseEnvPairs,
  startBenchService,
  startHello,
} from "./bench/service.ts";

const USAGE =
  `usage: deno task bench [--base-url http://127.0.0.1:PORT] [--n 200] [--batch-size 200]
  [--concurrency 32] [--duration 10] [--rounds 1] [--out outputs/perf/bench_latest.json]
  [--api-key KEY] [--service-env K=V ...] [--label TEXT] [--generator auto|wrk|fetch]
  [--wrk-threads 1] [--paced-rps 1000]`;

function parseBenchFlags(args: string[]) {
  const values = parseFlags(args, {
    "base-url": { type: "string" },
    n: { type: "string" },
    "batch-size": { type: "string" },
    concurrency: { type: "string" },
    duration: { type: "string" },
    rounds: { type: "string" },
    out: { type: "string" },
    "api-key": { type: "string" },
    "service-env": { type: "string", multiple: true },
    label: { type: "string" },
    generator: { type: "string" },
    "wrk-threads": { type: "string" },
    "paced-rps": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const serviceEnv = parseEnvPairs(values["service-env"] ?? []);
  const baseUrl = values["base-url"] === undefined ? undefined : localBaseUrl(values["base-url"]);
  if (baseUrl && Object.keys(serviceEnv).length) {
    throw new UsageError(
      "--service-env applies only when the bench starts the service (no --base-url)",
    );
  }
  return {
    help: values.help ?? false,
    baseUrl,
    n: intFlag("n", values.n, 200),
    batchSize: intFlag("batch-size", values["batch-size"], 200),
    concurrency: intFlag("concurrency", values.concurrency, 32),
    durationS: intFlag("duration", values.duration, 10),
    rounds: intFlag("rounds", values.rounds, 1),
    out: values.out ?? "outputs/perf/bench_latest.json",
    apiKey: values["api-key"],
    serviceEnv,
    label: values.label ?? null,
    generator: values.generator,
    wrkThreads: intFlag("wrk-threads", values["wrk-threads"], 1),
    pacedRps: intFlag("paced-rps", values["paced-rps"], 1000, 0),
  };
}

async function main(args: string[]): Promise<number> {
  let flags: ReturnType<typeof parseBenchFlags>;
  try {
    flags = parseBenchFlags(args);
  } catch (err) {
    console.error(`bench: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const generator = await chooseGenerator(flags.generator);
  const { rows, modelVersion: localModel } = await loadBenchRows();
  const bodies = {
    predict: predictBodies(rows),
    batch: batchBodies(rows, flags.batchSize),
  };
  const workDir = await makeWorkDir();
  const machine = await machineInfo();
  let service: BenchService | undefined;
  let hello: HelloServer | undefined;
  const cleanup = async () => {
    await service?.stop().catch(() => {});
    await hello?.stop().catch(() => {});
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  };
  const onSignal = () => cleanup().finally(() => Deno.exit(130));
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    // Service first: its cold start is measured while nothing else runs.
    let serviceEnv: Record<string, string> = { ...flags.serviceEnv };
    if (!flags.baseUrl && flags.apiKey && !serviceEnv.API_KEYS && !serviceEnv.ADMIN_KEYS) {
      // A key given for a service the bench starts: make it an admin key (also reads /metrics).
      serviceEnv = { ...serviceEnv, ADMIN_KEYS: flags.apiKey };
    }
    if (!flags.baseUrl) {
      console.error("bench: starting the service …");
      service = await startBenchService({ env: serviceEnv });
    }
    const baseUrl = flags.baseUrl ?? service!.baseUrl;
    hello = await startHello();
    const modelVersion = (await serviceModelVersion(baseUrl)) ?? localModel;
    const load: LoadSettings = {
      generator,
      concurrency: flags.concurrency,
      durationS: flags.durationS,
      wrkThreads: flags.wrkThreads,
      workDir,
      apiKey: flags.apiKey,
    };
    console.error(`bench: sequential, n = ${flags.n} per scenario …`);
    const helloSequential = await runSequential({
      url: `${hello.baseUrl}/predict`,
      bodies: bodies.predict,
      n: flags.n,
    });
    const sequential = await measureSequential({
      baseUrl,
      n: flags.n,
      batchSize: flags.batchSize,
      predictBodies: bodies.predict,
      batchBodies: bodies.batch,
      apiKey: flags.apiKey,
    });
    const rounds = {
      hello: [] as ThroughputResult[],
      predict: [] as ThroughputResult[],
      batch: [] as ThroughputResult[],
      helloGet: [] as ThroughputResult[],
      live: [] as ThroughputResult[],
      paced: [] as ThroughputResult[],
    };
    for (let r = 0; r < flags.rounds; r++) {
      console.error(
        `bench: throughput round ${
          r + 1
        }/${flags.rounds} (${generator}, c = ${flags.concurrency}, ` +
          `${flags.durationS} s each: hello, /predict, /predict_batch, hello GET, /health/live) …`,
      );
      rounds.hello.push(
        await measureThroughput({
          baseUrl: hello.baseUrl,
          path: "/predict",
          bodies: bodies.predict,
          rowsPerRequest: 1,
        }, { ...load, apiKey: undefined }),
      );
      rounds.predict.push(
        await measureThroughput({
          baseUrl,
          path: "/predict",
          bodies: bodies.predict,
          rowsPerRequest: 1,
          metricsRoute: "POST /predict",
        }, load),
      );
      rounds.batch.push(
        await measureThroughput({
          baseUrl,
          path: "/predict_batch",
          bodies: bodies.batch,
          rowsPerRequest: flags.batchSize,
          metricsRoute: "POST /predict_batch",
        }, load),
      );
      rounds.helloGet.push(
        await measureThroughput({
          baseUrl: hello.baseUrl,
          path: "/",
          method: "GET",
          bodies: [],
          rowsPerRequest: 1,
        }, { ...load, apiKey: undefined }),
      );
      rounds.live.push(
        await measureThroughput({
          baseUrl,
          path: "/health/live",
          method: "GET",
          bodies: [],
          rowsPerRequest: 1,
          metricsRoute: "GET /health/live",
        }, load),
      );
      if (flags.pacedRps > 0) {
        rounds.paced.push(
          await measureThroughput({
            baseUrl,
            path: "/predict",
            bodies: bodies.predict,
            rowsPerRequest: 1,
            metricsRoute: "POST /predict",
          }, { ...load, delayMs: (flags.concurrency * 1000) / flags.pacedRps }),
        );
      }
    }
    const loadAfter = loadAverage();
    let exit: Deno.CommandStatus | undefined;
    if (service) exit = await service.stop();
    const figures: BenchFigures = {
      batchSize: flags.batchSize,
      concurrency: flags.concurrency,
      hello: { sequential: helloSequential, throughput: medianThroughput(rounds.hello) },
      sequential,
      throughput: {
        predict: medianThroughput(rounds.predict),
        batch: medianThroughput(rounds.batch),
      },
      ladder: { helloGet: medianThroughput(rounds.helloGet), live: medianThroughput(rounds.live) },
      paced: rounds.paced.length ? medianThroughput(rounds.paced) : undefined,
      coldStartMs: service?.coldStartMs,
    };
    const derived = deriveFigures(figures);
    const targets = checkTargets(figures, derived);
    const report = {
      schema: "scorewatch-bench/1",
      label: flags.label,
      generated_at: new Date().toISOString(),
      args,
      machine: { ...machine, loadAverageAfter: loadAfter },
      model_version: modelVersion,
      settings: {
        base_url: flags.baseUrl ?? null,
        n: flags.n,
        batch_size: flags.batchSize,
        concurrency: flags.concurrency,
        duration_s: flags.durationS,
        rounds: flags.rounds,
        generator,
        wrk_threads: generator === "wrk" ? flags.wrkThreads : null,
        paced_rps: flags.pacedRps || null,
        baseline: "scripts/bench_hello.ts: Deno.serve, reads the body, answers 17 bytes of JSON; " +
          "sent the same /predict bodies",
      },
      service: service
        ? {
          started: true,
          env: service.env,
          cold_start_ms: service.coldStartMs,
          ready_log_ms: service.readyLogMs,
          exit_code: exit?.code ?? null,
        }
        : { started: false },
      hello: {
        sequential: helloSequential,
        throughput: figures.hello.throughput,
        rounds: rounds.hello,
      },
      sequential,
      throughput: {
        ...figures.throughput,
        ...figures.ladder,
        paced: figures.paced ?? null,
        rounds: {
          predict: rounds.predict,
          batch: rounds.batch,
          helloGet: rounds.helloGet,
          live: rounds.live,
          paced: rounds.paced,
        },
      },
      derived,
      targets,
    };
    await writeJson(flags.out, report);
    const label = flags.label ? ` — ${flags.label}` : "";
    console.log(
      `\n## Scorewatch bench${label} (model ${modelVersion}, ${machine.cores} cores, ` +
        `Deno ${machine.deno}, load avg ${machine.loadAverage?.join(" ") ?? "?"} → ${
          loadAfter?.join(" ") ?? "?"
        })\n`,
    );
    if (service) {
      console.log(
        `cold start: ${service.coldStartMs.toFixed(0)} ms spawn → /health/ready 200 ` +
          `(service log: ready in ${service.readyLogMs} ms)\n`,
      );
    }
    console.log(sequentialTable(figures) + "\n");
    console.log(throughputTable(figures) + "\n");
    console.log(internalsTable(figures) + "\n");
    console.log(
      `explain=1: ${
        derived.explainExtraMsSingle?.toFixed(3) ?? "–"
      } ms more on a single /predict; ` +
        `+${
          derived.explainExtraUsPerRowBatch?.toFixed(1) ?? "–"
        } µs per row in ${flags.batchSize}-row batches\n`,
    );
    console.log(targetsTable(targets) + "\n");
    console.log(`written: ${flags.out}`);
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    await cleanup();
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`bench: ${err.message}\n${USAGE}`);
      Deno.exit(2);
    }
    throw err;
  }
}
