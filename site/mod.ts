/**
 * The monitoring site: server-rendered pages (Preact, `preact-render-to-string`)
 * with islands hydrated in the browser, Fresh's layout on Hono:
 *
 * - `routes/`: one module per page (and its small JSON endpoint);
 * - `islands/`: the only components hydrated in the browser (serialisable props);
 * - `components/`: server-only components;
 * - `shared/`: modules both sides use (chart specs, formatting, the uPlot wrapper);
 * - `client/`: the browser boot code; `static/`: stylesheet, favicon and the
 *   island build (`deno task build` → `static/build/`, git-ignored).
 *
 * `createSite` returns a Hono app the API mounts under `/monitor`, in the same
 * process, sharing the model's predictor and the audit store.
 *
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { serveStatic } from "hono/deno";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../api/app_env.ts";
import { createSiteContext, DEFAULT_STATIC_DIR, type SiteDeps } from "./context.ts";
import { driftRoutes } from "./routes/drift.tsx";
import { errorHandler, notFoundHandler } from "./routes/errors.tsx";
import { overviewRoutes } from "./routes/overview.tsx";
import { predictionsRoutes } from "./routes/predictions.tsx";
import { scoreRoutes } from "./routes/score.tsx";
import { scoresRoutes } from "./routes/scores.tsx";
import { staticRoutes } from "./routes/static.ts";

export type { SiteDeps };

/**
 * Content-Security-Policy of the site: scripts, styles and connections only
 * from the site itself (no inline script or style anywhere), framing allowed
 * for Hugging Face Spaces, which shows the app in an iframe.
 */
export const SITE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'self'", "https://huggingface.co", "https://*.hf.space"],
};

/** Security headers of every site response (no X-Frame-Options: CSP frame-ancestors decides). */
export function siteSecureHeaders(): MiddlewareHandler {
  return secureHeaders({ contentSecurityPolicy: SITE_CSP, xFrameOptions: false });
}

/** Builds the site (mount it with `app.route("/monitor", createSite(deps))`). */
export function createSite(deps: SiteDeps): Hono<AppEnv> {
  const ctx = createSiteContext(deps);
  const site = new Hono<AppEnv>();
  site.use(siteSecureHeaders());
  site.use(csrf());
  for (
    const routes of [
      staticRoutes,
      overviewRoutes,
      scoresRoutes,
      driftRoutes,
      predictionsRoutes,
      scoreRoutes,
    ]
  ) site.route("/", routes(ctx));
  site.all("*", notFoundHandler(ctx));
  site.onError(errorHandler(ctx));
  return site;
}

/** `GET /favicon.ico` at the app's root (browsers ask every origin for it). */
export const serveFavicon: MiddlewareHandler = serveStatic({
  root: DEFAULT_STATIC_DIR,
  path: "favicon.ico",
  onFound: (_path, c) => {
    c.header("cache-control", "public, max-age=86400");
  },
});
