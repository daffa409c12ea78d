/**
 * Swagger UI in a real browser (Debian's Chromium), under the docs pages'
 * CSP: it renders every operation, offers the Authorize dialog for the
 * declared keys, runs "Try it out" against this server, and the browser
 * reports no error (a CSP violation is one). Skipped only when Chromium is
 * absent.
 */
import assert from "node:assert/strict";
import {
  BROWSER_PERMISSIONS,
  CHROMIUM,
  chromiumStatus,
  launchChromium,
  watchErrors,
} from "../../scripts/lib/browser.ts";
import { serveOnLocalhost } from "../../scripts/lib/serve.ts";
import { createTestApp } from "../testing/test_app.ts";

const chromium = chromiumStatus();
if (chromium === "absent") console.warn(`docs browser test skipped: ${CHROMIUM} is not installed`);

Deno.test({
  name: "Swagger UI works under the docs CSP: operations, Authorize, Try it out",
  ignore: chromium === "absent",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  assert.equal(chromium, "present", `browser tests need ${BROWSER_PERMISSIONS}`);
  await using t = await createTestApp({ config: { apiKeys: ["scoring-key-000000000001"] } });
  await using server = serveOnLocalhost(t.app.fetch);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/docs`);
    await page.waitForSelector(".opblock");
    const operations = await page.locator(".opblock").count();
    const documented = Object.values(t.app.openApiDocument().paths as Record<string, object>)
      .reduce((n, item) => n + Object.keys(item).length, 0);
    assert.equal(operations, documented, "every operation is shown");

    await page.locator(".btn.authorize").click();
    await page.waitForSelector(".modal-ux");
    assert.match(await page.locator(".modal-ux").innerText(), /bearerAuth[\s\S]*apiKeyHeader/);
    await page.locator(".modal-ux .btn-done, .modal-ux .close-modal").first().click();

    const live = page.locator("#operations-health-getLiveness");
    await live.locator(".opblock-summary").click();
    await live.locator(".try-out__btn").click();
    await live.locator(".execute").click();
    await live.locator(".live-responses-table tbody .response-col_status").first().waitFor();
    assert.match(
      await live.locator(".live-responses-table tbody .response-col_status").first().innerText(),
      /200/,
    );
    assert.deepEqual(errors, [], "no console error, no CSP violation, no failed request");
  } finally {
    await browser.close();
  }
});
