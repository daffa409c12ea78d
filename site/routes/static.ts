/**
 * `GET /monitor/static/*`: files of `site/static` (stylesheet, favicon) and
 * the island build (`build/`, content-hashed names, cached for a year).
 *
 * @module
 */
import { Hono } from "hono";
import { serveStatic } from "hono/deno";
import type { SiteEnv } from "../site_env.ts";
import type { SiteContext } from "../context.ts";

/** Cache policy of a static file: hashed build output is immutable. */
export function cacheControlFor(path: string): string {
  return /[\\/]build[\\/]/.test(path)
    ? "public, max-age=31536000, immutable"
    : "public, max-age=3600";
}

/** The static file routes. */
export function staticRoutes(ctx: SiteContext): Hono<SiteEnv> {
  const app = new Hono<SiteEnv>();
  const prefix = `${ctx.base}/static`;
  app.get(
    "/static/*",
    serveStatic({
      root: ctx.staticDir,
      rewriteRequestPath: (path) => path.slice(prefix.length),
      onFound: (path, c) => {
        c.header("cache-control", cacheControlFor(path));
      },
    }),
  );
  return app;
}
