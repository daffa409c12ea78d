/**
 * `deno task site-bench`: server time of every monitoring page with a large
 * audit log. Fills a temp database with `--rows` logged predictions (default
 * 1,000,000, over 7 days, through the traffic simulator and the store; the
 * last 12 h drifted, half of the outcomes fed back) and synthetic request
 * statistics, builds the real app in-process and times each page
 * (`app.request` until the body is read), `--repeat` times after one warm-up. Prints a table and writes JSON to
 * `outputs/perf/site_bench.json`. `--db PATH` reuses a database filled by an
 * earlier run (`--keep` keeps it).
 *
 * Target: every page ≤ 200 ms. Timings are wall-clock on a possibly noisy
 * machine: compare pages within one run.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { loadModel } from "../api/scoring/model.ts";
import { openStore } from "../api/store/mod.ts";
import { parseScaleSpec } from "./lib/drift_injection.ts";
import { createProgress } from "./lib/progress.ts";
import { fillDemoDatabase, writeSyntheticRequestStats } from "./site_demo_data.ts";
import { createApp } from "../main.ts";
import { DEFAULT_CONFIG } from "../api/config.ts";

/** Median of numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: "string" },
      repeat: { type: "string" },
      db: { type: "string" },
      keep: { type: "boolean" },
      out: { type: "string" },
      artifacts: { type: "string" },
    },
  });
  const rows = Number(values.rows ?? 1_000_000);
  const repeat = Number(values.repeat ?? 5);
  const artifactsDir = values.artifacts ?? "artifacts";
  const out = values.out ?? "outputs/perf/site_bench.json";
  const tmp = values.db ? undefined : await Deno.makeTempDir({ prefix: "scorewatch_bench_" });
  const dbPath = values.db ?? join(tmp!, "predictions.sqlite");
  const now = new Date();

  if (!existsSync(dbPath)) {
    const t0 = performance.now();
    const progress = createProgress({ label: "fill", total: rows });
    await fillDemoDatabase({
      dbPath,
      n: rows,
      hours: 7 * 24,
      now,
      artifactsDir,
      outcomes: 0.5,
      drift: { hours: 12, specs: [parseScaleSpec("Income=1.8")] },
      onProgress: (n) => progress.update(n),
    });
    progress.stop();
    console.log(`filled ${rows} predictions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const model = await loadModel(artifactsDir);
  const store = await openStore(dbPath, { synchronous: "NORMAL" });
  try {
    if (await store.requests.firstMinute() === null) {
      console.log(`request statistics: ${await writeSyntheticRequestStats(store)} minute rows`);
    }
    const n = await store.predictions.count();
    const app = createApp({
      config: DEFAULT_CONFIG,
      model,
      store,
      site: { drift: { minIntervalMs: 0 } },
    });
    const lastId = (await store.rollups.totals()).maxId!;
    const oldVersion = "no-such-version";

    const recompute = async (scope: string) => {
      const t0 = performance.now();
      const res = await app.request("/monitor/drift", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: "http://localhost",
        },
        body: `scope=${scope}`,
      });
      await res.text();
      if (res.status !== 303) throw new Error(`recompute ${scope}: HTTP ${res.status}`);
      return performance.now() - t0;
    };
    const recomputeMs = {
      "latest 2,000": await recompute("recent"),
      "24h (≤ 50,000 rows)": await recompute("24h"),
    };

    const pages = [
      ...["1h", "24h", "7d", "all"].map((w) => `/monitor?window=${w}`),
      ...["1h", "24h", "7d", "all"].map((w) => `/monitor/scores?window=${w}`),
      "/monitor/api/overview?window=7d",
      "/monitor/api/scores?window=all",
      "/monitor/drift",
      ...["24h", "7d", "all"].map((w) => `/monitor/performance?window=${w}`),
      "/monitor/predictions",
      "/monitor/predictions?window=7d&decision=reject",
      "/monitor/predictions?window=24h&decision=approve",
      `/monitor/predictions?window=all&before=${Math.floor(lastId / 2)}`,
      `/monitor/predictions?window=all&model_version=${oldVersion}`,
      "/monitor/predictions?request_id=sim-none",
      `/monitor/predictions/${Math.floor(lastId / 3)}`,
      "/monitor/score",
    ];
    const results: { page: string; status: number; medianMs: number; maxMs: number }[] = [];
    for (const page of pages) {
      const times: number[] = [];
      let status = 0;
      for (let i = 0; i <= repeat; i++) {
        const t0 = performance.now();
        const res = await app.request(page);
        await res.text();
        status = res.status;
        if (i > 0) times.push(performance.now() - t0);
      }
      results.push({ page, status, medianMs: median(times), maxMs: Math.max(...times) });
    }

    console.log(`\n${n.toLocaleString("en-US")} logged predictions, ${repeat} runs per page\n`);
    console.log("page".padEnd(58), "status", "median ms".padStart(10), "max ms".padStart(8));
    for (const r of results) {
      console.log(
        r.page.padEnd(58),
        String(r.status).padStart(6),
        r.medianMs.toFixed(1).padStart(10),
        r.maxMs.toFixed(1).padStart(8),
      );
    }
    console.log("\ndrift recompute (POST /monitor/drift, in-process):");
    for (const [scope, ms] of Object.entries(recomputeMs)) {
      console.log(`  ${scope.padEnd(22)} ${ms.toFixed(0)} ms`);
    }
    const slowest = Math.max(...results.map((r) => r.maxMs));
    console.log(`\nslowest page run: ${slowest.toFixed(1)} ms (target ≤ 200 ms)`);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(
      out,
      JSON.stringify(
        { at: now.toISOString(), predictions: n, repeat, pages: results, recomputeMs },
        null,
        2,
      ) + "\n",
    );
    return results.every((r) => r.status < 400) ? 0 : 1;
  } finally {
    await store.close();
    await model.release();
    if (tmp && !values.keep) await Deno.remove(tmp, { recursive: true });
    else console.log(`database kept: ${dbPath}`);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
