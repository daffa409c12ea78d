/**
 * The monitoring site: server-rendered pages (Preact, `preact-render-to-string`)
 * with islands hydrated in the browser, Fresh's layout on Hono:
 *
 * - `routes/`: one module per page (and its small JSON endpoint);
 * - `islands/`: the only components hydrated in the browser (serialisable props);
 * - `components/`: server-only components;
 * - `shared/`: modules both sides use (chart specs, formatting, the uPlot wrapper);
 * - `client/`: the browser boot code; `static/`: stylesheet, favicon and the
 *   island build (`deno task build` → `static/build/`; committed, and CI checks
 *   that a fresh build reproduces it byte for byte).
 *
 * `createSite` returns a Hono app the API mounts under `/monitor`, in the same
 * process, sharing the model's predictor, explainer, keys and the audit store.
 * With keys configured every page and JSON endpoint needs an admin identity
 * (login form → session cookie, or an admin key in `Authorization`); see
 * `lib/access.ts`. Static files and the login page are public.
 *
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { serveStatic } from "hono/deno";
import { secureHeaders } from "hono/secure-headers";
import {
  createSiteContext,
  DEFAULT_STATIC_DIR,
  type SiteDeps,
  type SiteOptions,
} from "./context.ts";
import { siteAccess } from "./lib/access.ts";
import { formBodiesOnly } from "./lib/form_body.ts";
import { driftRoutes } from "./routes/drift.tsx";
import { errorHandler, notFoundHandler } from "./routes/errors.tsx";
import { loginRoutes, logoutRoutes } from "./routes/login.tsx";
import { modelsRoutes } from "./routes/models.tsx";
import { overviewRoutes } from "./routes/overview.tsx";
import { performanceRoutes } from "./routes/performance.tsx";
import { predictionsRoutes } from "./routes/predictions.tsx";
import { scoreRoutes } from "./routes/score.tsx";
import { scoresRoutes } from "./routes/scores.tsx";
import { staticRoutes } from "./routes/static.ts";
import type { SiteEnv } from "./site_env.ts";
import { selfOnlyCsp } from "../api/http/csp.ts";

export type { SiteDeps, SiteEnv, SiteOptions };

/** Security headers of every site response (no X-Frame-Options: CSP frame-ancestors decides). */
export function siteSecureHeaders(frameAncestors: readonly string[]): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: selfOnlyCsp(frameAncestors),
    xFrameOptions: false,
  });
}

/** Builds the site (mount it with `app.route("/monitor", createSite(deps))`). */
export function createSite(deps: SiteDeps): Hono<SiteEnv> {
  const ctx = createSiteContext(deps);
  const site = new Hono<SiteEnv>();
  site.use(siteSecureHeaders(ctx.frameAncestors));
  site.use(csrf());
  site.use(formBodiesOnly());
  // Public: static files and the login page. Everything registered after the
  // access middleware needs an admin identity (or open mode).
  for (const routes of [staticRoutes, loginRoutes]) site.route("/", routes(ctx));
  site.use(siteAccess(ctx));
  for (
    const routes of [
      logoutRoutes,
      overviewRoutes,
      scoresRoutes,
      driftRoutes,
      performanceRoutes,
      predictionsRoutes,
      modelsRoutes,
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
