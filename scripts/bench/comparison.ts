/**
 * `deno task bench comparison`: champion against challenger over a large
 * audit log. Fills a temp database with `--rows` predictions (default
 * 1,000,000 over 7 days) answered by the champion (the bundled model's
 * version) and each scored in the shadow by a challenger `v2`, a third of
 * them with an outcome, then measures in process, `--repeat` times after one
 * warm-up:
 *
 * - the store's comparison reads alone (cells over the whole log, and over
 *   the 100,000 most recent paired rows the page counts; the 20,000 most
 *   recent labelled pairs);
 * - the comparison page (`/monitor/models/compare/v2`) for 24 h and all;
 * - the performance page of the challenger's rows (`?version=v2`);
 * - baseline, same run: the existing performance page over all rows.
 *
 *   deno task bench comparison [--rows 1000000] [--repeat 3] [--pg postgres://…]
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { DEFAULT_CONFIG } from "../../api/config.ts";
import type { ModelAdmin } from "../../api/model_admin.ts";
import { loadModel } from "../../api/scoring/model.ts";
import { openStore, type PredictionRecord, type ShadowRecord } from "../../api/store/mod.ts";
import { createApp } from "../../main.ts";
import { seededRandom } from "../../monitoring/seeded_random.ts";
import { parseFlags, parseIntegerFlag } from "../lib/flags.ts";
import { scratchLog } from "../lib/scratch_log.ts";
import { createProgress } from "../lib/progress.ts";
import { ROOT } from "../lib/service.ts";
import { fmt, markdownTable, median, type SuiteRun } from "./stats.ts";

/** The help text. */
export const USAGE = "deno task bench comparison [--rows 1000000] [--repeat 3] [--pg postgres://…]";

const CHALLENGER = "v2";
const ENTRY_ROWS = 5000;

/** Outcomes for every third row: default with probability ≈ the champion's score (deterministic). */
const OUTCOMES_SQL =
  `INSERT INTO outcomes (request_id, client_id, outcome, observed_at, recorded_at)
  SELECT request_id, client_id,
    CASE WHEN (id * 7919) % 1000 < proba_default * 1000 THEN 'default' ELSE 'repaid' END,
    ts_utc, ts_utc
  FROM predictions WHERE id % 3 = 0`;

async function fillComparisonLog(
  dbPath: string,
  rows: number,
  champion: string,
  threshold: number,
) {
  const store = await openStore(dbPath, { synchronous: "NORMAL" });
  const rng = seededRandom(7);
  const progress = createProgress({ label: "fill", total: rows });
  const end = Date.now();
  const span = 7 * 24 * 3_600_000;
  try {
    for (let start = 0; start < rows; start += ENTRY_ROWS) {
      const n = Math.min(ENTRY_ROWS, rows - start);
      const records: PredictionRecord[] = [];
      const shadows: ShadowRecord[] = [];
      for (let k = 0; k < n; k++) {
        const i = start + k;
        const p = rng.next() ** 2;
        const q = Math.min(1, Math.max(0, p + (rng.next() - 0.5) * 0.2));
        records.push({
          ts_utc: new Date(end - span + (span * i) / rows).toISOString(),
          client_id: "",
          request_id: `cmp-${i}`,
          model_version: champion,
          proba_default: p,
          threshold,
          decision: p >= threshold ? 1 : 0,
          latency_ms: 1,
          input_json: "{}",
        });
        shadows.push({
          row: k,
          model_version: CHALLENGER,
          proba_default: q,
          threshold,
          decision: q >= threshold ? 1 : 0,
        });
      }
      await store.append({ rows: records, shadows });
      progress.update(start + n);
    }
  } finally {
    progress.stop();
    await store.close();
  }
  if (dbPath.startsWith("postgres")) {
    const client = new pg.Client({ connectionString: dbPath });
    await client.connect();
    try {
      await client.query(OUTCOMES_SQL);
    } finally {
      await client.end();
    }
  } else {
    const db = new DatabaseSync(dbPath);
    try {
      db.exec(OUTCOMES_SQL);
    } finally {
      db.close();
    }
  }
}

/** A model admin that only lists the two versions (the pages read nothing else). */
function twoVersions(champion: string, rows: number): ModelAdmin {
  const info = (version: string, role: "champion" | "shadow") => ({
    version,
    role,
    model_type: "gbdt",
    features: [],
    threshold: 0.5,
    created_at: null,
    rows_scored: rows,
  });
  const unsupported = () => Promise.reject(new Error("not in the benchmark"));
  return {
    list: () => Promise.resolve([info(champion, "champion"), info(CHALLENGER, "shadow")]),
    changes: () => Promise.resolve([]),
    promote: unsupported,
    rollback: unsupported,
    setShadow: unsupported,
    reload: unsupported,
  };
}

/** Runs the suite. */
export const run: SuiteRun = async (args, log) => {
  const v = parseFlags(args, {
    rows: { type: "string", default: "1000000" },
    repeat: { type: "string", default: "3" },
    pg: { type: "string" },
  });
  const rows = parseIntegerFlag("rows", v.rows, { min: 100 });
  const repeat = parseIntegerFlag("repeat", v.repeat, { min: 1, max: 1000 });
  await using scratch = await scratchLog("comparison", v.pg);
  const dbPath = scratch.url;
  const model = await loadModel(`${ROOT}artifacts`);
  const champion = model.meta.model_version;
  try {
    log(`comparison: filling ${rows} predictions with a shadow score each …`);
    const t0 = performance.now();
    await fillComparisonLog(dbPath, rows, champion, model.meta.threshold);
    const fillS = (performance.now() - t0) / 1000;
    const store = await openStore(dbPath, { synchronous: "NORMAL" });
    const app = createApp({
      config: DEFAULT_CONFIG,
      model,
      store,
      site: { models: twoVersions(champion, rows) },
    });
    const q = { champion, challenger: CHALLENGER };
    const page = async (path: string) => {
      const res = await app.request(path);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    };
    const steps: [string, () => Promise<unknown>][] = [
      [
        "baseline: GET /monitor/performance?window=all",
        () => page("/monitor/performance?window=all"),
      ],
      [
        "store: comparison.cells (all rows, 20 bins)",
        () => store.comparison.cells({ ...q, bins: 20 }),
      ],
      [
        "store: comparison.cells (100,000 most recent per direction)",
        () => store.comparison.cells({ ...q, bins: 20, limit: 100_000 }),
      ],
      [
        "store: comparison.labelled (20,000 most recent)",
        () => store.comparison.labelled({ ...q, limit: 20_000 }),
      ],
      [
        "GET /monitor/models/compare/v2?window=24h",
        () => page("/monitor/models/compare/v2?window=24h"),
      ],
      [
        "GET /monitor/models/compare/v2?window=all",
        () => page("/monitor/models/compare/v2?window=all"),
      ],
      [
        "GET /monitor/performance?window=all&version=v2",
        () => page("/monitor/performance?window=all&version=v2"),
      ],
    ];
    const timings: { step: string; medianMs: number; maxMs: number }[] = [];
    try {
      for (const [step, fn] of steps) {
        log(`comparison: ${step} …`);
        await fn();
        const ms: number[] = [];
        for (let i = 0; i < repeat; i++) {
          const t = performance.now();
          await fn();
          ms.push(performance.now() - t);
        }
        timings.push({ step, medianMs: median(ms), maxMs: Math.max(...ms) });
      }
    } finally {
      app.dispose();
      await store.close();
    }
    const baseline = timings[0].medianMs;
    const markdown = [
      `## comparison: ${rows} predictions, each with a shadow score (filled in ${fmt(fillS)} s)`,
      "",
      markdownTable(
        ["step (in process)", "median ms", "max ms", "× baseline"],
        timings.map((t) => [t.step, fmt(t.medianMs), fmt(t.maxMs), fmt(t.medianMs / baseline)]),
      ),
    ].join("\n");
    return {
      json: {
        settings: { rows, repeat, backend: scratch.backend },
        fill_seconds: fillS,
        steps: timings.map((t) => ({ ...t, ratio: t.medianMs / baseline })),
      },
      markdown,
    };
  } finally {
    await model.release();
  }
};
