/**
 * The site's error handling: an HTML 404 for unknown paths under the site,
 * and the error handler turning failures into HTML error pages (problem
 * errors keep their status and message, e.g. 503 when the audit log cannot
 * be written; unexpected errors become a 500 that leaks nothing). Errors of
 * the JSON endpoints (`/api/…`, e.g. 401 without a login), and of requests
 * asking for JSON only, are answered like the API's: problem+json.
 *
 * @module
 */
import type { Context, ErrorHandler, Handler } from "hono";
import { HTTPException } from "hono/http-exception";
import { onError as apiOnError } from "../../api/http/error_handler.ts";
import { ProblemError } from "../../api/http/problem.ts";
import { ErrorPage } from "../components/error_page.tsx";
import { renderPage } from "../components/render.tsx";
import type { SiteContext } from "../context.ts";
import { wantsJson } from "../lib/access.ts";
import type { SiteEnv } from "../site_env.ts";

function page(
  c: Context<SiteEnv>,
  ctx: SiteContext,
  p: { status: number; title: string; detail: string },
): Response {
  return renderPage(
    c,
    <ErrorPage ctx={ctx} {...p} requestId={c.get("requestId")} />,
    p.status,
  );
}

/** The HTML 404 page. */
export function notFoundPage(c: Context<SiteEnv>, ctx: SiteContext): Response {
  return page(c, ctx, { status: 404, title: "Not found", detail: `No page at ${c.req.path}.` });
}

/** Catch-all: redirects a trailing slash away, else an HTML 404. */
export function notFoundHandler(ctx: SiteContext): Handler<SiteEnv> {
  return (c) => {
    const path = c.req.path;
    if (path.length > 1 && path.endsWith("/")) {
      return c.redirect(path.replace(/\/+$/, "") || ctx.base, 301);
    }
    return notFoundPage(c, ctx);
  };
}

/** The site's error handler. */
export function errorHandler(ctx: SiteContext): ErrorHandler<SiteEnv> {
  return (err, c) => {
    if (wantsJson(c, ctx.base)) return apiOnError(err, c);
    if (err instanceof ProblemError) {
      for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
      return page(c, ctx, { status: err.status, title: "Request failed", detail: err.message });
    }
    if (err instanceof HTTPException && err.status < 500) {
      const detail = err.status === 403
        ? "Forbidden: forms must be submitted from this site's own pages."
        : err.message || "The request was refused.";
      return page(c, ctx, { status: err.status, title: "Request refused", detail });
    }
    console.error(
      `[${c.get("requestId") ?? "-"}] site error on ${c.req.method} ${c.req.path}:`,
      err,
    );
    return page(c, ctx, {
      status: 500,
      title: "Something went wrong",
      detail: "Internal error; the request id identifies it in the server log.",
    });
  };
}
