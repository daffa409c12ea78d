/**
 * The site in a real browser: Debian's Chromium driven by playwright-core
 * against the real app served on 127.0.0.1 (temp database, API keys
 * configured). Checks that an admin logs in through the login form, that
 * every page loads without console errors and hydrates its islands
 * (including the performance page's reliability chart, with outcomes fed
 * back), that the live score distribution follows a new prediction, that the
 * scoring form returns a label with its reasons, that the drift page shows an
 * injected drift, and that logging out closes the site again.
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
} from "../scripts/lib/browser.ts";
import {
  createSiteTestApp,
  scoredRecords,
  serveOnLocalhost,
  type SiteTestApp,
} from "./testing/site_test_kit.ts";

const SCORING_KEY = "browser-scoring-key-0001";
const ADMIN_KEY = "browser-admin-key-000001";
const scoringAuth = { authorization: `Bearer ${SCORING_KEY}` };

const chromium = chromiumStatus();
if (chromium === "absent") console.warn(`browser tests skipped: ${CHROMIUM} is not installed`);

async function logDriftedRows(t: SiteTestApp, factor: number): Promise<void> {
  const rows = t.rows.map((r) => ({
    ...r,
    Income: typeof r.Income === "number" ? r.Income * factor : r.Income,
  }));
  await t.store.append({ rows: await scoredRecords(t.model, rows) });
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
    config: { apiKeys: [SCORING_KEY], adminKeys: [ADMIN_KEY] },
    site: { livePollMs: 250, drift: { minIntervalMs: 0 } },
  });
  const threshold = app.model.meta.threshold;
  for (const features of app.rows.slice(0, 40)) {
    const scored = await (await app.post("/predict", { features }, scoringAuth)).json();
    const feedback = await app.post("/feedback", {
      request_id: scored.request_id,
      outcome: scored.proba_default >= threshold ? "default" : "repaid",
      observed_at: new Date().toISOString(),
    }, scoringAuth);
    assert.equal(feedback.status, 201);
    await feedback.body?.cancel();
  }
  await using server = serveOnLocalhost(app.app.fetch);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors = watchErrors(page);

    await t.step("an admin logs in through the login form", async () => {
      await page.goto(`${server.url}/monitor/scores?window=1h`, { waitUntil: "load" });
      assert.match(page.url(), /\/monitor\/login\?next=%2Fmonitor%2Fscores%3Fwindow%3D1h$/);
      await page.locator("#admin-key").fill(ADMIN_KEY);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(/\/monitor\/scores\?window=1h$/);
      assert.equal(await page.getByRole("button", { name: "Log out" }).count(), 1);
      assert.equal(await page.locator("[data-testid=open-mode]").count(), 0);
      assert.deepEqual(errors.splice(0), []);
    });

    await t.step("every page loads without console errors; islands hydrate", async () => {
      const pages: [string, number][] = [
        ["/monitor?window=1h", 4],
        ["/monitor/scores?window=1h", 1],
        ["/monitor/drift", 0],
        ["/monitor/performance?window=1h", 1],
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
      await (await app.post("/predict", { features: app.rows[50] }, scoringAuth)).text();
      await page.waitForFunction(
        (before) =>
          Number(document.querySelector("[data-testid=score-n]")?.textContent) === before + 1,
        n,
        { timeout: 10_000 },
      );
      assert.deepEqual(errors.splice(0), []);
    });

    await t.step("the scoring form returns a label and its reasons", async () => {
      await page.goto(`${server.url}/monitor/score`, { waitUntil: "load" });
      const before = await app.store.predictions.count();
      await page.locator("#f-Records").selectOption("yes");
      await page.getByRole("button", { name: "Score this applicant" }).click();
      const label = await page.locator("[data-testid=risk-label]").textContent();
      assert.match(label ?? "", /^(High risk: reject|Low risk: approve)$/);
      const first = page.locator("[data-testid=reasons] tbody tr").first();
      assert.equal(await first.getAttribute("data-reason"), "Records");
      assert.equal(await first.locator("td").nth(1).textContent(), "yes");
      assert.equal(await app.store.predictions.count(), before + 1);
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

    await t.step(
      "the performance page shows realised metrics and the reliability chart",
      async () => {
        await page.goto(`${server.url}/monitor/performance?window=1h`, { waitUntil: "load" });
        await waitForCharts(page, 1);
        assert.equal(await page.locator("[data-testid=n-labelled]").textContent(), "40");
        assert.equal(await page.locator("[data-testid=reliability] tbody tr").count(), 10);
        assert.deepEqual(errors.splice(0), []);
      },
    );

    await t.step("logging out closes the site again", async () => {
      await page.getByRole("button", { name: "Log out" }).click();
      await page.waitForURL(/\/monitor\/login$/);
      await page.goto(`${server.url}/monitor/predictions`, { waitUntil: "load" });
      assert.match(page.url(), /\/monitor\/login\?next=%2Fmonitor%2Fpredictions$/);
      assert.deepEqual(errors.splice(0), []);
    });
  } finally {
    await browser.close();
  }
});
