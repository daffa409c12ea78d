/**
 * Throughput of `/predict` for 1 and N serving workers on each backend
 * (SQLite file, PostgreSQL), side by side, in one run: the real service
 * (`deno task start`'s command and permissions, via the service spawner) on
 * a fresh database per variant, loaded by `wrk` (C, 127.0.0.1) with real
 * application bodies. Variants are interleaved round by round, so a noisy
 * neighbour on a shared machine hits them alike; each figure is the median
 * over rounds, and ratios are against the first variant (SQLite, 1 worker).
 *
 *   deno task bench:workers [--workers 1,2] [--backends sqlite,postgres]
 *     [--db postgres://postgres@127.0.0.1:5432/test] [--rounds 3] [--duration 8]
 *     [--connections 64] [--threads 2]
 *
 * `--db` is a server where the bench may create (and drops) one schema per
 * variant. Non-2xx answers (503 when the store refuses a commit) are
 * counted: a variant that sheds load is not faster for it.
 *
 * A variant for the bench harness (`deno task bench`): the same loop over
 * `WORKERS` × `DATABASE_URL`.
 *
 * @module
 */
import { join } from "node:path";
import pg from "pg";
import { loadBenchRows, predictBodies } from "./bench/bodies.ts";
import { runWrk } from "./bench/wrk.ts";
import { parseFlags, parseIntegerFlag, UsageError } from "./lib/flags.ts";
import { startService } from "./service_process.ts";

/** One measured variant. */
export interface Variant {
  backend: "sqlite" | "postgres";
  workers: number;
}

/** What one round measured for a variant. */
export interface Measured {
  requestsPerS: number;
  non2xx: number;
  socketErrors: number;
  p99Ms: number;
}

/** Options of {@link runWorkersBench}. */
export interface WorkersBenchOptions {
  variants: Variant[];
  /** Base URL of the PostgreSQL server (a schema per variant is created there). */
  db: string;
  rounds: number;
  durationS: number;
  connections: number;
  threads: number;
  log?: (line: string) => void;
}

const ROOT = new URL("..", import.meta.url).pathname;

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function withAdmin<T>(db: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs one variant once: a fresh database, the service, a warm-up, the measured run. */
async function measure(variant: Variant, options: WorkersBenchOptions, bodies: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_workers_bench_" });
  const schema = `scorewatch_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const env: Record<string, string> = {
    WORKERS: String(variant.workers),
    API_KEYS: "",
    ADMIN_KEYS: "",
    RATE_LIMIT_PER_MINUTE: "0",
    MAX_CONCURRENT_REQUESTS: "100000",
    DB_SYNCHRONOUS: "FULL",
    DATABASE_URL: "",
    // The service refuses WORKERS > 1 on SQLite; the bench measures it anyway (that is why).
    ALLOW_SQLITE_WORKERS: variant.backend === "sqlite" ? "1" : "0",
  };
  if (variant.backend === "postgres") {
    await withAdmin(options.db, (c) => c.query(`CREATE SCHEMA "${schema}"`));
    env.DATABASE_URL = `${options.db}${options.db.includes("?") ? "&" : "?"}options=${
      encodeURIComponent(`-c search_path=${schema}`)
    }`;
  }
  const service = await startService({
    root: ROOT,
    dbPath: join(dir, "predictions.sqlite"),
    dbDir: dir,
    env,
  });
  try {
    const load = (durationS: number) =>
      runWrk({
        url: `${service.baseUrl}/predict`,
        bodies,
        concurrency: options.connections,
        durationS,
        threads: options.threads,
        workDir: dir,
      });
    await load(2);
    const r = await load(options.durationS);
    return {
      requestsPerS: r.requestsPerS,
      non2xx: r.statusErrors,
      socketErrors: r.socketErrors,
      p99Ms: r.latencyMs.p99,
    } satisfies Measured;
  } finally {
    await service.stop("SIGTERM");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    if (variant.backend === "postgres") {
      await withAdmin(options.db, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    }
  }
}

/** Every variant `rounds` times, interleaved; returns each variant's rounds. */
export async function runWorkersBench(options: WorkersBenchOptions): Promise<Measured[][]> {
  const log = options.log ?? (() => {});
  const { rows } = await loadBenchRows({
    artifactsDir: join(ROOT, "artifacts"),
    csv: join(ROOT, "data/credit_data/test.csv"),
  });
  const bodies = predictBodies(rows);
  const results: Measured[][] = options.variants.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, variant] of options.variants.entries()) {
      const m = await measure(variant, options, bodies);
      results[i].push(m);
      log(
        `round ${round + 1}/${options.rounds} ${variant.backend} × ${variant.workers}: ` +
          `${m.requestsPerS.toFixed(0)} req/s, ${m.non2xx} non-2xx, p99 ${m.p99Ms.toFixed(1)} ms`,
      );
    }
  }
  return results;
}

/** The markdown table: median req/s, ratio to the first variant, non-2xx, p99. */
export function formatTable(variants: readonly Variant[], results: readonly Measured[][]): string {
  const base = median(results[0].map((m) => m.requestsPerS));
  const lines = [
    "| backend | workers | req/s (median) | × SQLite 1 worker | non-2xx | p99 ms | rounds (req/s) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  variants.forEach((v, i) => {
    const rps = median(results[i].map((m) => m.requestsPerS));
    lines.push(
      `| ${v.backend} | ${v.workers} | ${rps.toFixed(0)} | ${(rps / base).toFixed(2)} | ${
        results[i].reduce((s, m) => s + m.non2xx, 0)
      } | ${median(results[i].map((m) => m.p99Ms)).toFixed(1)} | ${
        results[i].map((m) => m.requestsPerS.toFixed(0)).join(", ")
      } |`,
    );
  });
  return lines.join("\n");
}

/** Parses the flags. */
export function parseWorkersBenchArgs(args: readonly string[]): WorkersBenchOptions {
  const values = parseFlags(args, {
    workers: { type: "string" },
    backends: { type: "string" },
    db: { type: "string" },
    rounds: { type: "string" },
    duration: { type: "string" },
    connections: { type: "string" },
    threads: { type: "string" },
  });
  const workers = (values.workers ?? "1,2").split(",").map((w) =>
    parseIntegerFlag("workers", w, { min: 1, max: 64 })
  );
  const backends = (values.backends ?? "sqlite,postgres").split(",");
  for (const b of backends) {
    if (b !== "sqlite" && b !== "postgres") {
      throw new UsageError(`--backends ${b}: expected sqlite or postgres`);
    }
  }
  return {
    variants: backends.flatMap((backend) =>
      workers.map((w) => ({ backend: backend as Variant["backend"], workers: w }))
    ),
    db: values.db ?? "postgres://postgres@127.0.0.1:5432/test",
    rounds: parseIntegerFlag("rounds", values.rounds ?? "3", { min: 1, max: 20 }),
    durationS: parseIntegerFlag("duration", values.duration ?? "8", { min: 1, max: 600 }),
    connections: parseIntegerFlag("connections", values.connections ?? "64", { min: 1, max: 4096 }),
    threads: parseIntegerFlag("threads", values.threads ?? "2", { min: 1, max: 64 }),
  };
}

if (import.meta.main) {
  let options: WorkersBenchOptions;
  try {
    options = parseWorkersBenchArgs(Deno.args);
  } catch (err) {
    console.error(`bench:workers: ${(err as Error).message}`);
    Deno.exit(2);
  }
  const load = Deno.loadavg();
  console.log(`machine: ${navigator.hardwareConcurrency} cores, load average ${load.join(" ")}`);
  const results = await runWorkersBench({ ...options, log: (l) => console.log(l) });
  console.log(`\n${formatTable(options.variants, results)}`);
}
