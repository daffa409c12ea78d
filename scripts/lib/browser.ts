/**
 * Headless Chromium for the browser tests and the screenshot task: Debian's
 * `/usr/bin/chromium` driven by playwright-core.
 *
 * @module
 */
import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";

/** Chromium of the Debian package (CI installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** Flags for a quiet, sandbox-free headless Chromium in containers. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The permissions the browser tests and the screenshot task need. */
export const BROWSER_PERMISSIONS = "--allow-read=/usr/bin/chromium --allow-run=/usr/bin/chromium " +
  "--allow-net=127.0.0.1 --allow-sys=homedir,osRelease --allow-env";

/**
 * Whether Chromium is installed: `absent`, `present`, or `unknown` when this
 * process may not even look (no read permission for it).
 */
export function chromiumStatus(): "present" | "absent" | "unknown" {
  if (Deno.permissions.querySync({ name: "read", path: CHROMIUM }).state !== "granted") {
    return "unknown";
  }
  return existsSync(CHROMIUM) ? "present" : "absent";
}

/**
 * Launches Chromium. playwright-core is imported here, dynamically: at import
 * time it probes for WSL by checking `/proc/sys/fs/binfmt_misc/WSLInterop`,
 * which Deno allows only with `--allow-all`; its own switch `__IS_WSL_TEST__`
 * defers that probe (whose result only matters for opening desktop apps,
 * which we never do), and it must be set before the module loads.
 */
export async function launchChromium(): Promise<Browser> {
  Deno.env.set("__IS_WSL_TEST__", "1");
  const { chromium } = await import("playwright-core");
  return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Collects console errors, uncaught page errors and failed requests of a
 * page (requests aborted by a navigation excepted).
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A live poll still in flight when the test navigates away is aborted: not an error.
    if (r.failure()?.errorText !== "net::ERR_ABORTED") {
      errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    }
  });
  return errors;
}

/** Waits until `n` uPlot charts have mounted (islands hydrated). */
export async function waitForCharts(page: Page, n: number, timeout = 10_000): Promise<void> {
  if (n <= 0) return;
  await page.waitForFunction(
    (k) => document.querySelectorAll(".uplot canvas").length >= k,
    n,
    { timeout },
  );
}
