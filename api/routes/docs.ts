/**
 * API documentation: `/` redirects to `/docs`, a Swagger UI served from the
 * `swagger-ui-dist` npm package (no CDN: it works offline), over the OpenAPI
 * document at `/openapi.json`; `/problems/{type}` explains each problem type.
 *
 * @module
 */
import { Hono } from "hono";
import { join } from "node:path";
import absolutePath from "swagger-ui-dist/absolute-path.js";
import type { AppEnv } from "../http/env.ts";
import { PROBLEM_TYPES, ProblemError, type ProblemType } from "../http/problem.ts";

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Scorewatch API</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

// Kept in a file of its own (not inline) so the page works under a strict CSP.
const INIT =
  `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });`;

/** Builds the documentation routes. Assets are read once, on first use. */
export function docsRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const dir = absolutePath();
  const cache = new Map<string, Uint8Array>();

  app.get("/", (c) => c.redirect("/docs", 302));
  app.get("/docs", (c) => c.html(PAGE));
  app.get(
    "/docs/init.js",
    (c) => c.body(INIT, 200, { "content-type": ASSETS["swagger-ui-bundle.js"] }),
  );
  app.get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    const type = ASSETS[file];
    if (!type) throw new ProblemError(404, "not-found", `no documentation asset ${file}`);
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = await Deno.readFile(join(dir, file));
      cache.set(file, bytes);
    }
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": type,
      "cache-control": "public, max-age=86400",
    });
  });
  app.get("/problems/:type", (c) => {
    const type = c.req.param("type");
    if (!(type in PROBLEM_TYPES)) {
      throw new ProblemError(404, "not-found", `no problem type ${type}`);
    }
    return c.text(`${PROBLEM_TYPES[type as ProblemType]}\n\nSee the API documentation at /docs.\n`);
  });
  return app;
}
