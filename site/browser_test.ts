/**
 * The site in a real browser: Debian's Chromium driven by playwright-core
 * against the real app served on 127.0.0.1 (temp database). Checks that
 * every page loads without console errors and hydrates its islands, that the
 * live score distribution follows a new prediction, that the scoring form
 * returns a label and that the drift page shows an injected drift.
 *
 * Needs the island build (`deno task build`) and `/usr/bin/chromium`; skipped
 * (with a message) only when Chromium is absent.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_STATIC_DIR } from "./context.ts";
import { readAssetManifest } from "./lib/assets.ts";
import {
  BROWSER_PERMISSIONS,
  CHROMIUM,
  chromiumStatus,
  launchChromium,
  waitForCharts,
  watchErrors,
} from "./testing/browser.ts";
import {
  createSiteTestApp,
  scoredRecords,
  serveOnLocalhost,
  type SiteTestApp,
} from "./testing/site_test_kit.ts";

const chromium = chromiumStatus();
if (chromium === "absent") console.warn(`browser tests skipped: ${CHROMIUM} is not installed`);

async function logDriftedRows(t: SiteTestApp, factor: number): Promise<void> {
  const rows = t.rows.map((r) => ({
    ...r,
    Income: typeof r.Income === "number" ? r.Income * factor : r.Income,
  }));
  await t.store.append(await scoredRecords(t.model, rows));
}

Deno.test({
  name: "the site works in a real browser",
  ignore: chromium === "absent",
  // playwright keeps its connection and child process between steps, and
  // closes them at the end; the sanitizers would flag them per step.
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  assert.equal(chromium, "present", `browser tests need ${BROWSER_PERMISSIONS}`);
  assert.ok(
    readAssetManifest(join(DEFAULT_STATIC_DIR, "build")),
    "the island build is missing: run `deno task build` before the browser tests",
  );
  await using app = await createSiteTestApp({
    site: { livePollMs: 250, drift: { minIntervalMs: 0 } },
  });
  for (const features of app.rows.slice(0, 40)) {
    await (await app.post("/predict", { features })).text();
  }
  await using server = serveOnLocalhost(app.app.fetch);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors = watchErrors(page);

    await t.step("every page loads without console errors; islands hydrate", async () => {
      const pages: [string, number][] = [
        ["/monitor?window=1h", 4],
        ["/monitor/scores?window=1h", 1],
        ["/monitor/drift", 0],
        ["/monitor/predictions", 0],
        ["/monitor/predictions/1", 0],
        ["/monitor/score", 0],
      ];
      for (const [path, charts] of pages) {
        await page.goto(`${server.url}${path}`, { waitUntil: "load" });
        if (charts > 0) {
          await waitForCharts(page, charts);
          assert.equal(
            await page.locator("svg.svg-chart").count(),
            0,
            `${path}: SVG fallback left`,
          );
        }
        assert.deepEqual(errors.splice(0), [], path);
      }
    });

    await t.step("the live score distribution follows a new prediction", async () => {
      await page.goto(`${server.url}/monitor/scores?window=1h`, { waitUntil: "load" });
      const n = Number(await page.locator("[data-testid=score-n]").textContent());
      await (await app.post("/predict", { features: app.rows[50] })).text();
      await page.waitForFunction(
        (before) =>
          Number(document.querySelector("[data-testid=score-n]")?.textContent) === before + 1,
        n,
        { timeout: 10_000 },
      );
      assert.deepEqual(errors.splice(0), []);
    });

    await t.step("the scoring form returns a label", async () => {
      await page.goto(`${server.url}/monitor/score`, { waitUntil: "load" });
      const before = app.store.count();
      await page.getByRole("button", { name: "Score this applicant" }).click();
      const label = await page.locator("[data-testid=risk-label]").textContent();
      assert.match(label ?? "", /^(High risk: reject|Low risk: approve)$/);
      assert.equal(app.store.count(), before + 1);
      assert.deepEqual(errors.splice(0), []);
    });

    await t.step("the drift page shows an injected drift", async () => {
      await logDriftedRows(app, 4);
      await page.goto(`${server.url}/monitor/drift`, { waitUntil: "load" });
      await page.locator("select[name=scope]").selectOption("recent");
      await page.getByRole("button", { name: "Recompute now" }).click();
      await page.waitForURL(/computed=1/);
      const income = page.locator('tr[data-feature="Income"] .badge');
      assert.match((await income.textContent()) ?? "", /^(high|severe)$/);
      await waitForCharts(page, 14);
      assert.deepEqual(errors.splice(0), []);
    });
  } finally {
    await browser.close();
  }
});
