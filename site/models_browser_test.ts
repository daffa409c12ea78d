/**
 * The champion-vs-challenger page in a real browser (Debian's Chromium,
 * playwright-core) against the real app on 127.0.0.1 with admin keys and a
 * fake model admin: an admin opens the comparison from the model list, sees
 * the charts and tables, and promotes the challenger through the page's
 * CSRF-protected form, which the admin records with the admin's key id.
 * Skipped (with a message) only when Chromium is absent.
 *
 * @module
 */
import assert from "node:assert/strict";
import { keyId } from "../api/auth/api_keys.ts";
import {
  BROWSER_PERMISSIONS,
  CHROMIUM,
  chromiumStatus,
  launchChromium,
  watchErrors,
} from "../scripts/lib/browser.ts";
import { seedComparison, SEEDED_CHALLENGER } from "./testing/comparison_seed.ts";
import { createFakeModelAdmin, versionInfo } from "./testing/fake_model_admin.ts";
import { createSiteTestApp, serveOnLocalhost } from "./testing/site_test_kit.ts";

const ADMIN_KEY = "browser-admin-key-000002";

const chromium = chromiumStatus();
if (chromium === "absent") console.warn(`browser tests skipped: ${CHROMIUM} is not installed`);

Deno.test({
  name: "the comparison page works in a real browser and promotes through its form",
  ignore: chromium === "absent",
  // playwright keeps its connection and child process between steps.
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  assert.equal(chromium, "present", `browser tests need ${BROWSER_PERMISSIONS}`);
  const models = createFakeModelAdmin([]);
  await using app = await createSiteTestApp({
    config: { adminKeys: [ADMIN_KEY] },
    site: { models },
  });
  const champion = app.model.meta.model_version;
  models.versions.push(
    versionInfo(champion, "champion", { rows_scored: 40 }),
    versionInfo(SEEDED_CHALLENGER, "shadow", { rows_scored: 40 }),
  );
  await seedComparison(app.store, champion, new Date());
  await using server = serveOnLocalhost(app.app.fetch);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors = watchErrors(page);

    await t.step("from the model list to the comparison", async () => {
      await page.goto(`${server.url}/monitor/models`, { waitUntil: "load" });
      await page.locator("#admin-key").fill(ADMIN_KEY);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.waitForURL(/\/monitor\/models$/);
      await page.getByRole("link", { name: "compare with the champion" }).click();
      await page.waitForURL(/\/monitor\/models\/compare\/v2$/);
      assert.deepEqual(errors.splice(0), []);
    });

    await t.step("the comparison renders its charts and tables", async () => {
      assert.equal(await page.locator("[data-testid=n-paired]").textContent(), "40");
      const bars = page.locator("[data-testid=distribution-chart] svg rect");
      assert.equal(await bars.count(), 40, "20 bins × 2 models");
      assert.ok(await page.locator("[data-testid=distribution-chart] svg").isVisible());
      assert.equal(await page.locator("[data-testid=swap-set] tbody tr").count(), 4);
      assert.equal(await page.locator("[data-testid=realised-metrics] tbody tr").count(), 3);
      assert.equal(await page.locator("[data-testid=agreement]").textContent(), "50.0%");
    });

    await t.step("promote posts the form and the admin records it", async () => {
      await page.locator("[data-testid=promote-form] input[name=reason]").fill("lower cost");
      await page.getByRole("button", { name: "Promote v2 to champion" }).click();
      await page.waitForURL(/\/monitor\/models\?done=promote$/);
      assert.deepEqual(models.calls, [{
        action: "promote",
        version: SEEDED_CHALLENGER,
        actor: { keyId: keyId(ADMIN_KEY), reason: "lower cost" },
      }]);
      const row = page.locator('tr[data-version="v2"] [data-role]');
      assert.equal(await row.textContent(), "champion");
      assert.equal(await page.locator("[data-testid=change-history] tbody tr").count(), 1);
      assert.deepEqual(errors.splice(0), []);
    });
  } finally {
    await browser.close();
  }
});
