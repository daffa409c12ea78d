/**
 * `deno task screenshots`: fills a temp database with a week of realistic
 * traffic (the simulator's scored applications with half of their outcomes
 * fed back, a drifted last half-day, synthetic request statistics, plus some
 * live HTTP requests), serves the real app (open mode) on 127.0.0.1,
 * recomputes drift from the drift page and saves a screenshot of every
 * monitoring page, desktop and phone width, under `outputs/screenshots/`.
 * Needs `/usr/bin/chromium` and the island build.
 *
 * @module
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { loadModel, type ScoringModel } from "../api/scoring/model.ts";
import { openStore, type Store } from "../api/store/mod.ts";
import { parseScaleSpec, parseShiftSpec } from "./lib/drift_injection.ts";
import { DEFAULT_STATIC_DIR } from "../site/context.ts";
import { readAssetManifest } from "../site/lib/assets.ts";
import {
  BROWSER_PERMISSIONS,
  CHROMIUM,
  chromiumStatus,
  launchChromium,
  waitForCharts,
} from "./lib/browser.ts";
import { serveOnLocalhost } from "./lib/serve.ts";
import { parseFlags, parseIntegerFlag, UsageError } from "./lib/flags.ts";
import { CREDIT_TEST_CSV, creditRows } from "./lib/credit_rows.ts";
import { fillDemoDatabase, writeSyntheticRequestStats } from "./site_demo_data.ts";
import { createApp } from "../main.ts";
import { DEFAULT_CONFIG } from "../api/config.ts";

/** Pages shot, with the uPlot charts to wait for. */
const PAGES = [
  { name: "overview", path: "/monitor?window=7d", charts: 4 },
  { name: "scores", path: "/monitor/scores?window=24h", charts: 1 },
  { name: "drift", path: "/monitor/drift", charts: 14 },
  { name: "performance", path: "/monitor/performance?window=7d", charts: 1 },
  { name: "predictions", path: "/monitor/predictions?window=24h", charts: 0 },
  { name: "prediction_detail", path: "/monitor/predictions/LAST", charts: 0 },
  { name: "score_form", path: "/monitor/score", charts: 0 },
];

const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
];

/** The login page, as a site with ADMIN_KEYS shows it (a second app on the same store). */
async function shootLoginPage(
  page: Page,
  deps: { model: ScoringModel; store: Store; out: string },
): Promise<void> {
  const secured = createApp({
    config: { ...DEFAULT_CONFIG, adminKeys: ["screenshot-admin-key-0001"] },
    model: deps.model,
    store: deps.store,
  });
  await using server = serveOnLocalhost(secured.fetch);
  await page.goto(`${server.url}/monitor`);
  await page.locator("#admin-key").waitFor();
  const file = join(deps.out, "login-desktop.png");
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshots: ${file}`);
}

async function main(args: string[]): Promise<number> {
  const values = parseFlags(args, {
    out: { type: "string", default: "outputs/screenshots" },
    n: { type: "string", default: "30000" },
    artifacts: { type: "string", default: "artifacts" },
  });
  const out = values.out;
  const n = parseIntegerFlag("n", values.n, { min: 1 });
  const artifactsDir = values.artifacts;
  const chromium = chromiumStatus();
  if (chromium !== "present") {
    console.error(
      chromium === "absent"
        ? `screenshots: ${CHROMIUM} is not installed`
        : `screenshots: run with ${BROWSER_PERMISSIONS}`,
    );
    return 1;
  }
  if (!readAssetManifest(join(DEFAULT_STATIC_DIR, "build"))) {
    console.error("screenshots: the island build is missing; run deno task build first");
    return 1;
  }
  await mkdir(out, { recursive: true });
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_shots_" });
  try {
    const dbPath = join(dir, "predictions.sqlite");
    const now = new Date();
    console.log(`screenshots: simulating ${n} predictions over 7 days…`);
    await fillDemoDatabase({
      dbPath,
      n,
      hours: 7 * 24,
      now: new Date(now.getTime() - 60_000),
      artifactsDir,
      // The bundled model's held-out applications: realistic outcomes on the Performance page.
      sourcePath: CREDIT_TEST_CSV,
      outcomes: 0.5,
      drift: {
        hours: 12,
        specs: [parseScaleSpec("Income=1.8"), parseShiftSpec("Home=rent:0.6")],
      },
    });
    const model = await loadModel(artifactsDir);
    const store = await openStore(dbPath, { synchronous: "NORMAL" });
    await writeSyntheticRequestStats(store);
    const app = createApp({
      config: DEFAULT_CONFIG,
      model,
      store,
    });
    try {
      await using server = serveOnLocalhost(app.fetch);
      const rows = await creditRows(model.meta.features, 60);
      for (const features of rows) {
        await (await fetch(`${server.url}/predict`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ features }),
        })).text();
      }
      for (let i = 0; i < 3; i++) {
        await (await fetch(`${server.url}/predict`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ features: { ...rows[i], Income: "unknown" } }),
        })).text();
      }
      const last = (await store.rollups.totals()).maxId!;

      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: VIEWPORTS[0] });
        await page.goto(`${server.url}/monitor/drift`);
        await page.locator("select[name=scope]").selectOption("24h");
        await page.getByRole("button", { name: "Recompute now" }).click();
        await page.waitForURL(/computed=1/);
        for (const vp of VIEWPORTS) {
          await page.setViewportSize({ width: vp.width, height: vp.height });
          for (const p of PAGES) {
            await page.goto(`${server.url}${p.path.replace("LAST", String(last))}`);
            await waitForCharts(page, p.charts);
            const file = join(out, `${p.name}-${vp.name}.png`);
            await page.screenshot({ path: file, fullPage: true });
            console.log(`screenshots: ${file}`);
          }
        }
        await page.setViewportSize({ width: VIEWPORTS[0].width, height: VIEWPORTS[0].height });
        await page.goto(`${server.url}/monitor/score`);
        await page.getByRole("button", { name: "Score this applicant" }).click();
        await page.locator("[data-testid=risk-label]").waitFor();
        await page.screenshot({ path: join(out, "score_result-desktop.png"), fullPage: true });
        await shootLoginPage(page, { model, store, out });
      } finally {
        await browser.close();
      }
    } finally {
      await store.close();
      await model.release();
    }
    return 0;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`screenshots: ${err.message}`);
    Deno.exit(2);
  }
}
