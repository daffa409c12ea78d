/**
 * Measures `deno task drift` over a large audit log (target: 1,000,000 logged
 * predictions in ≤ 10 s with ≤ 300 MB peak RSS).
 *
 * Fills a temporary database with the traffic simulator (real model when
 * `artifacts/` and the reference sample exist, else the fixture model with a
 * reference built from the training CSV), then runs the drift CLI as a
 * subprocess under `/usr/bin/time -v` for the whole window (`--limit all`)
 * and for `--limit <rows>` — each including the multivariate check (on its
 * 5,000-row sample) and the data-quality checks — once more with per-hour
 * chunks (what a scheduled report computes), and prints wall time and peak
 * RSS of each.
 *
 * Usage: deno task drift:scale [--rows N] [--db PATH|URL] [--keep]
 *   --db PATH  reuse (or create) this SQLite database instead of a temporary one
 *   --db URL   a PostgreSQL database (`postgres://…`, e.g. with
 *              `options=-c search_path=<schema>`): filled up to N rows if it
 *              holds fewer, then read by the drift CLI over the network
 *              (allowed to exactly that host, as the drift task does)
 *   --keep     keep the temporary directory
 *
 * A variant for the bench harness's scale suite (`deno task bench scale`):
 * the same measurement with `--db` a PostgreSQL URL.
 *
 * Exit code 0 when every run meets the target, 1 otherwise (or on errors).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { describeTarget, isPostgresTarget, openStore } from "../api/store/mod.ts";
import { databaseNetAllowance } from "./net_allowance.ts";
import { REFERENCE_FILE } from "../api/scoring/model_meta.ts";
import { parseIntegerFlag } from "./lib/flags.ts";
import { createProgress } from "./lib/progress.ts";
import { simulateTraffic } from "./simulate.ts";

const TARGET_SECONDS = 10;
const TARGET_RSS_MB = 300;

interface Measured {
  label: string;
  code: number;
  seconds: number;
  rssMb: number | null;
}

/** Parses `Elapsed (wall clock)` and `Maximum resident set size` from GNU time's -v report. */
export function parseGnuTime(stderr: string): { seconds: number; rssMb: number } | null {
  const wall = stderr.match(/Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):(\d+(?:\.\d+)?)/);
  const rss = stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
  if (!wall || !rss) return null;
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { seconds, rssMb: Number(rss[1]) / 1024 };
}

async function rowCount(dbPath: string): Promise<number> {
  if (!isPostgresTarget(dbPath) && !existsSync(dbPath)) return 0;
  // An empty PostgreSQL schema holds no audit log yet: nothing to count.
  const store = await openStore(dbPath, { readOnly: true }).catch((err: Error) => {
    if (isPostgresTarget(dbPath) && /no schema/.test(err.message)) return undefined;
    throw err;
  });
  if (!store) return 0;
  try {
    return await store.predictions.count();
  } finally {
    await store.close();
  }
}

async function measureDrift(
  label: string,
  args: string[],
  readDirs: string[],
  writeDir: string,
  netAllowance: string,
): Promise<Measured> {
  const deno = [
    "deno",
    "run",
    `--allow-read=${readDirs.join(",")}`,
    `--allow-write=${writeDir}`,
    "--allow-env=DB_PATH,DATABASE_URL,ARTIFACTS_DIR,PG*",
    `--allow-net=127.0.0.1${netAllowance}`,
    "scripts/drift.ts",
    ...args,
  ];
  const env = { NO_COLOR: "1" };
  const started = performance.now();
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("/usr/bin/time", { args: ["-v", ...deno], env }).output();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    console.log("/usr/bin/time not found: wall time only");
    out = await new Deno.Command("deno", { args: deno.slice(1), env }).output();
  }
  const elapsed = (performance.now() - started) / 1000;
  const stderr = new TextDecoder().decode(out.stderr);
  const gnu = parseGnuTime(stderr);
  if (out.code !== 0) console.error(stderr.split("\n").slice(0, 5).join("\n"));
  return {
    label,
    code: out.code,
    seconds: gnu?.seconds ?? elapsed,
    rssMb: gnu?.rssMb ?? null,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    strict: true,
    options: {
      rows: { type: "string" },
      db: { type: "string" },
      keep: { type: "boolean" },
    },
  });
  const rows = values.rows === undefined
    ? 1_000_000
    : parseIntegerFlag("rows", values.rows, { min: 1 });
  const dir = await Deno.makeTempDir({ prefix: "drift_scale_" });
  try {
    const artifactsDir = "artifacts";
    const reference = join(artifactsDir, REFERENCE_FILE);
    const dbPath = values.db ?? join(dir, "predictions.sqlite");
    const existing = await rowCount(dbPath);
    if (existing < rows) {
      const n = rows - existing;
      console.log(`filling ${describeTarget(dbPath)} with ${n} simulated predictions…`);
      const progress = createProgress({ label: "simulate", total: n });
      const started = performance.now();
      await simulateTraffic({
        n,
        dbPath,
        artifactsDir,
        sourcePath: "data/credit_data/test.csv",
        seed: 1,
        startMs: Date.parse("2025-01-01T00:00:00Z"),
        spreadHours: 24 * 30,
        drift: [],
        batchSize: 50_000,
      }, { onProgress: (done) => progress.update(done) });
      progress.stop();
      const s = (performance.now() - started) / 1000;
      console.log(`simulated ${n} rows in ${s.toFixed(1)} s (${Math.round(n / s)} rows/s)`);
    }
    const total = await rowCount(dbPath);
    const pg = isPostgresTarget(dbPath);
    const readDirs = [...(pg ? [] : [dirname(dbPath)]), artifactsDir, reference];
    const net = pg ? databaseNetAllowance(dbPath) : "";
    const common = [
      "--db",
      dbPath,
      "--artifacts",
      artifactsDir,
      "--reference",
      reference,
      "--out",
      join(dir, "report.json"),
    ];
    const runs = [
      await measureDrift(
        `--limit all (${total} rows)`,
        [...common, "--limit", "all"],
        readDirs,
        dir,
        net,
      ),
      await measureDrift(
        `--limit ${rows}`,
        [...common, "--limit", String(rows)],
        readDirs,
        dir,
        net,
      ),
      await measureDrift(
        "--limit all --chunk hour",
        [...common, "--limit", "all", "--chunk", "hour"],
        readDirs,
        dir,
        net,
      ),
      await measureDrift("--limit 2000 (default)", common, readDirs, dir, net),
    ];
    console.log(
      `\n${
        describeTarget(dbPath)
      }: target for ${rows} rows: ≤ ${TARGET_SECONDS} s, ≤ ${TARGET_RSS_MB} MB peak RSS`,
    );
    let ok = true;
    for (const r of runs) {
      const meets = r.code === 0 && r.seconds <= TARGET_SECONDS &&
        (r.rssMb === null || r.rssMb <= TARGET_RSS_MB);
      ok &&= meets;
      console.log(
        `${r.label.padEnd(28)} exit ${r.code}  ${r.seconds.toFixed(2).padStart(6)} s  ` +
          `${r.rssMb === null ? "  n/a" : r.rssMb.toFixed(0).padStart(5)} MB  ${
            meets ? "ok" : "MISSED"
          }`,
      );
    }
    return ok ? 0 : 1;
  } finally {
    if (!values.keep) await Deno.remove(dir, { recursive: true });
    else console.log(`kept ${dir}`);
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (err) {
    console.error(`drift:scale: ${err instanceof Error ? err.message : String(err)}`);
    Deno.exit(1);
  }
}
