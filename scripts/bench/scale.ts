/**
 * `deno task bench scale`: the monitoring paths over a large audit log.
 * Fills a temp database with `--rows` logged predictions (default 1,000,000
 * over 7 days, through the traffic simulator and the store: the last 12 h
 * drifted, half of them with outcomes), then measures
 *
 * - `deno task drift --limit all` (its own task's command and permissions,
 *   as a child process): wall time and peak RSS from `/usr/bin/time -v`
 *   (wall time only without it). Budget at 1,000,000 rows: ≤ 10 s, ≤ 300 MB;
 * - every monitoring page, rendered in process by the real app
 *   (`app.request` until the body is read), `--repeat` times after one
 *   warm-up, and the site's drift recompute. Budget: ≤ 200 ms per page.
 *
 *   deno task bench scale [--rows 1000000] [--repeat 5] [--pg postgres://…]
 *
 * With `--pg` the log lives in a fresh schema of that PostgreSQL server
 * (dropped afterwards) instead of a SQLite file. Request statistics are
 * synthesised for every minute holding predictions, so the overview's
 * request panels read as many rows as in production.
 *
 * @module
 */
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../../api/config.ts";
import { loadModel } from "../../api/scoring/model.ts";
import { openStore } from "../../api/store/mod.ts";
import { createApp } from "../../main.ts";
import { parseScaleSpec } from "../lib/drift_injection.ts";
import { parseFlags, parseIntegerFlag } from "../lib/flags.ts";
import { createProgress } from "../lib/progress.ts";
import { readTaskArgv, ROOT } from "../lib/service.ts";
import { fillDemoDatabase, writeSyntheticRequestStats } from "../site_demo_data.ts";
import { scratchLog } from "../lib/scratch_log.ts";
import { fmt, markdownTable, median, type SuiteRun } from "./stats.ts";

/** The help text. */
export const USAGE = "deno task bench scale [--rows 1000000] [--repeat 5] [--pg postgres://…]";

const DRIFT_BUDGET = { seconds: 10, rssMb: 300 };
const PAGE_BUDGET_MS = 200;

/** Wall time and peak RSS from GNU time's `-v` report; null when absent. */
export function parseGnuTime(stderr: string): { seconds: number; rssMb: number } | null {
  const wall = stderr.match(/Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):(\d+(?:\.\d+)?)/);
  const rss = stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
  if (!wall || !rss) return null;
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { seconds, rssMb: Number(rss[1]) / 1024 };
}

/** Runs `deno task drift` over the whole log, under `/usr/bin/time -v` when it may. */
async function measureDrift(dbPath: string, dir: string) {
  const argv = [
    ...await readTaskArgv("drift", dir, { env: { DATABASE_URL: dbPath } }),
    ...["--db", dbPath, "--limit", "all", "--out", join(dir, "drift_report.json")],
  ];
  const t0 = performance.now();
  const run = (command: string, args: string[]) =>
    new Deno.Command(command, { args, cwd: ROOT, env: { NO_COLOR: "1" }, stdout: "null" })
      .output();
  // Without /usr/bin/time (or the permission to run it): wall time only.
  const out = await run("/usr/bin/time", ["-v", ...argv])
    .catch(() => run(argv[0], argv.slice(1)));
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`deno task drift failed (code ${out.code}):\n${stderr}`);
  return parseGnuTime(stderr) ?? { seconds: (performance.now() - t0) / 1000, rssMb: null };
}

/** Runs the suite. */
export const run: SuiteRun = async (args, log) => {
  const v = parseFlags(args, {
    rows: { type: "string", default: "1000000" },
    repeat: { type: "string", default: "5" },
    pg: { type: "string" },
  });
  const rows = parseIntegerFlag("rows", v.rows, { min: 100 });
  const repeat = parseIntegerFlag("repeat", v.repeat, { min: 1, max: 1000 });
  await using scratch = await scratchLog("scale", v.pg);
  const { dir, url: dbPath } = scratch;
  log(`scale: filling ${rows} predictions …`);
  const t0 = performance.now();
  const progress = createProgress({ label: "fill", total: rows });
  await fillDemoDatabase({
    dbPath,
    n: rows,
    hours: 7 * 24,
    now: new Date(),
    artifactsDir: `${ROOT}artifacts`,
    sourcePath: `${ROOT}data/credit_data/test.csv`,
    outcomes: 0.5,
    drift: { hours: 12, specs: [parseScaleSpec("Income=1.8")] },
    onProgress: (n) => progress.update(n),
  });
  progress.stop();
  const fillS = (performance.now() - t0) / 1000;

  log("scale: deno task drift --limit all …");
  const drift = await measureDrift(dbPath, dir);

  log("scale: site pages …");
  const model = await loadModel(`${ROOT}artifacts`);
  const store = await openStore(dbPath, { synchronous: "NORMAL" });
  await writeSyntheticRequestStats(store);
  const app = createApp({
    config: DEFAULT_CONFIG,
    model,
    store,
    site: { drift: { minIntervalMs: 0 } },
  });
  const windows = (path: string, ws: string[]) => ws.map((w) => `${path}?window=${w}`);
  // A fresh log numbers its rows 1 … rows.
  const pages = [
    ...windows("/monitor", ["1h", "24h", "7d", "all"]),
    ...windows("/monitor/scores", ["1h", "24h", "7d", "all"]),
    "/monitor/api/overview?window=7d",
    "/monitor/api/scores?window=all",
    "/monitor/drift",
    ...windows("/monitor/performance", ["24h", "7d", "all"]),
    "/monitor/predictions",
    "/monitor/predictions?window=7d&decision=reject",
    `/monitor/predictions?window=all&before=${Math.floor(rows / 2)}`,
    "/monitor/predictions?request_id=sim-none",
    `/monitor/predictions/${Math.floor(rows / 3)}`,
    "/monitor/score",
    "POST /monitor/drift scope=recent",
    "POST /monitor/drift scope=24h",
  ];
  const render = async (page: string) => {
    const [method, path, form] = page.startsWith("POST ") ? page.split(" ") : ["GET", page];
    const init = method === "GET" ? {} : {
      method,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://localhost",
      },
      body: form,
    };
    const t = performance.now();
    const res = await app.request(path, init);
    await res.arrayBuffer();
    if (res.status >= 400) throw new Error(`${page}: HTTP ${res.status}`);
    return performance.now() - t;
  };
  const timings: { page: string; medianMs: number; maxMs: number }[] = [];
  try {
    for (const page of pages) {
      await render(page);
      const ms: number[] = [];
      for (let i = 0; i < repeat; i++) ms.push(await render(page));
      timings.push({ page, medianMs: median(ms), maxMs: Math.max(...ms) });
    }
  } finally {
    app.dispose();
    await store.close();
    await model.release();
  }
  const met = (ok: boolean) => (ok ? "yes" : "NO");
  const driftOk = drift.seconds <= DRIFT_BUDGET.seconds &&
    (drift.rssMb === null || drift.rssMb <= DRIFT_BUDGET.rssMb);
  const markdown = [
    `## scale: ${rows} logged predictions (filled in ${fmt(fillS)} s); budgets are for 1,000,000`,
    "",
    markdownTable(["drift --limit all", "s", "peak RSS MB", "within 10 s, 300 MB"], [[
      "deno task drift",
      fmt(drift.seconds),
      fmt(drift.rssMb),
      met(driftOk),
    ]]),
    "",
    markdownTable(
      ["page (in process)", "median ms", "max ms", `within ${PAGE_BUDGET_MS} ms`],
      timings.map((t) => [
        t.page,
        fmt(t.medianMs),
        fmt(t.maxMs),
        // The recompute runs the drift report: a job, not a page render.
        t.page.startsWith("POST") ? "–" : met(t.maxMs <= PAGE_BUDGET_MS),
      ]),
    ),
  ].join("\n");
  return {
    json: { settings: { rows, repeat }, fill_seconds: fillS, drift, pages: timings },
    markdown,
  };
};
