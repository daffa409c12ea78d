/**
 * Access control of the site (every page and JSON endpoint but the login
 * page and static files):
 *
 * - with keys configured, an admin identity is required: the session cookie
 *   of `/login`, or an admin key in `Authorization: Bearer` / `X-API-Key`
 *   (the API's `requireKey`); a scoring key is refused (403). A request with
 *   neither is sent to the login page (HTML) or answered 401 problem+json
 *   (the JSON endpoints under `/api/`);
 * - a state-changing request authenticated by the cookie must carry the
 *   session's CSRF token in its `_csrf` form field (synchronizer token, on
 *   top of the Origin check of `hono/csrf`); header-authenticated and
 *   open-mode requests cannot be forged by another site and need none;
 * - in open mode (no keys at all) everything passes, and pages show a banner.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../../api/auth/session.ts";
import { requireKey } from "../../api/middleware/auth.ts";
import { ProblemError } from "../../api/http/problem.ts";
import { CSRF_FIELD } from "../components/viewer.tsx";
import type { SiteContext } from "../context.ts";
import type { SiteEnv, Viewer } from "../site_env.ts";
import { readForm } from "./form_body.ts";
import { safeNext } from "./safe_next.ts";
import { clearSessionCookie } from "./session_cookie.ts";

const SAFE_METHODS = /^(GET|HEAD|OPTIONS)$/;

/** True for the site's JSON endpoints (`<base>/api/…`). */
function isJsonPath(path: string, base: string): boolean {
  return path.startsWith(`${base}/api/`);
}

/** True for a JSON endpoint, or a client asking for JSON and not for a page (API clients). */
export function wantsJson(c: Pick<Context, "req">, base: string): boolean {
  if (isJsonPath(c.req.path, base)) return true;
  const accept = c.req.header("accept") ?? "";
  return /application\/(problem\+)?json/.test(accept) && !/text\/html|\*\/\*/.test(accept);
}

/** The login page's URL, coming back to `next` afterwards. */
export function loginUrl(base: string, next: string): string {
  const target = safeNext(next, base);
  return target === base ? `${base}/login` : `${base}/login?next=${encodeURIComponent(target)}`;
}

function missing(ctx: SiteContext) {
  return (c: Context<SiteEnv>): Response => {
    if (wantsJson(c, ctx.base)) {
      throw new ProblemError(
        401,
        "unauthorized",
        `log in at ${ctx.base}/login, or send an admin key as \`Authorization: Bearer <key>\``,
        { headers: { "www-authenticate": 'Bearer realm="scorewatch"' } },
      );
    }
    // An expired or forged cookie: drop it on the way to the login page.
    if (getCookie(c, SESSION_COOKIE) !== undefined) clearSessionCookie(c, { path: ctx.base });
    const url = new URL(c.req.url);
    const here = SAFE_METHODS.test(c.req.method) ? `${url.pathname}${url.search}` : url.pathname;
    return c.redirect(loginUrl(ctx.base, here), 303);
  };
}

async function checkCsrf(c: Context<SiteEnv>, ctx: SiteContext): Promise<void> {
  if (SAFE_METHODS.test(c.req.method) || c.get("authVia") !== "session") return;
  const token = c.get("sessionToken");
  const body = await readForm(c);
  const presented = body[CSRF_FIELD];
  if (!token || typeof presented !== "string" || !ctx.sessions.checkCsrf(token, presented)) {
    throw new ProblemError(
      403,
      "forbidden",
      "the form's security token is missing or out of date: reload the page and submit it again",
    );
  }
}

function viewerOf(c: Context<SiteEnv>, ctx: SiteContext): Viewer {
  const via = c.get("authVia") ?? "open";
  const token = c.get("sessionToken");
  return {
    via,
    csrfToken: via === "session" && token ? ctx.sessions.csrfFor(token) : null,
    keyId: c.get("identity")?.id ?? null,
  };
}

/** The access middleware of the site's protected routes; sets the `viewer`. */
export function siteAccess(ctx: SiteContext): MiddlewareHandler<SiteEnv> {
  const guard = requireKey({
    ring: ctx.ring,
    scope: "admin",
    sessions: ctx.sessions,
    throttle: ctx.authThrottle ?? undefined,
    now: ctx.now,
    onMissing: missing(ctx),
  });
  return (c, next) =>
    guard(c, async () => {
      await checkCsrf(c, ctx);
      c.set("viewer", viewerOf(c, ctx));
      // Pages show applicants' data: never kept by a shared cache, nor shown from the
      // browser's cache after logging out.
      c.header("cache-control", "no-store");
      await next();
    });
}
