/**
 * API documentation: `/` redirects to `/docs`, a Swagger UI served from the
 * `swagger-ui-dist` npm package (no CDN: it works offline), over the OpenAPI
 * document at `/openapi.json`; `/problems/{type}` explains each problem type.
 * The documentation pages carry a strict Content-Security-Policy (scripts,
 * styles, images and requests from this server only; framed only by the
 * configured frame ancestors).
 *
 * @module
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { secureHeaders } from "hono/secure-headers";
import { join } from "node:path";
import absolutePath from "swagger-ui-dist/absolute-path.js";
import { selfOnlyCsp } from "../http/csp.ts";
import type { AppEnv } from "../http/env.ts";
import { PUBLIC } from "../http/openapi.ts";
import {
  PROBLEM_TYPES,
  ProblemError,
  problemResponses,
  type ProblemType,
} from "../http/problem.ts";
import { clip } from "../http/validation_errors.ts";

/** The assets the page loads, by file name (a Map: no lookup falls through to `Object.prototype`). */
const ASSETS = new Map<string, string>([
  ["swagger-ui.css", "text/css; charset=utf-8"],
  ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
]);

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

/** Options of {@link docsRoutes}. */
export interface DocsOptions {
  /** CSP `frame-ancestors` sources (see `http/frame_ancestors.ts`). Default `'self'`. */
  frameAncestors?: readonly string[];
}

/** True when `key` is a problem type of this service (own keys only). */
function isProblemType(key: string): key is ProblemType {
  return Object.hasOwn(PROBLEM_TYPES, key);
}

/** Describes the documentation's own pages in the OpenAPI document. */
function describe(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/docs",
    operationId: "getDocs",
    security: PUBLIC,
    tags: ["operations"],
    summary: "This documentation (Swagger UI)",
    responses: {
      200: { description: "The page.", content: { "text/html": { schema: z.string() } } },
    },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/problems/{type}",
    operationId: "getProblemType",
    security: PUBLIC,
    tags: ["operations"],
    summary: "What a problem type means",
    request: {
      params: z.object({
        type: z.string().openapi({
          param: { name: "type", in: "path" },
          description: "The last part of a problem document's `type`.",
          example: "validation",
        }),
      }),
    },
    responses: {
      200: {
        description: "The problem type's title.",
        content: { "text/plain": { schema: z.string() } },
      },
      ...problemResponses({ 404: "No such problem type." }),
    },
  });
}

/** Builds the documentation routes. Assets are read once, on first use. */
export function docsRoutes(options: DocsOptions = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  describe(app);
  const dir = absolutePath();
  const cache = new Map<string, Uint8Array>();
  const headers = secureHeaders({
    contentSecurityPolicy: selfOnlyCsp(options.frameAncestors ?? ["'self'"]),
    xFrameOptions: false,
  });

  app.get("/", (c) => c.redirect("/docs", 302));
  app.use("/docs", headers);
  app.use("/docs/*", headers);
  app.get("/docs", (c) => c.html(PAGE));
  app.get(
    "/docs/init.js",
    (c) => c.body(INIT, 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    const type = ASSETS.get(file);
    if (type === undefined) {
      throw new ProblemError(404, "not-found", `no documentation asset ${clip(file)}`);
    }
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
    if (!isProblemType(type)) {
      throw new ProblemError(404, "not-found", `no problem type ${clip(type)}`);
    }
    return c.text(`${PROBLEM_TYPES[type]}\n\nSee the API documentation at /docs.\n`);
  });
  return app;
}
