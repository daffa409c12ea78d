/**
 * `GET /monitor/login`: a form asking for an admin key. `POST /monitor/login`:
 * checks the key once and sets the session cookie (see
 * `lib/session_cookie.ts`), then goes back to the page asked for (a local
 * path only: see `lib/safe_next.ts`). `POST /monitor/logout`: clears the
 * cookie. The login form is protected against cross-site posts by the
 * Origin check of `hono/csrf`; logout, behind the access check, by the
 * session's CSRF token too. Failed logins count towards the client's
 * failed-authentication budget (`AUTH_FAILURES_PER_MINUTE`, shared with wrong
 * API keys) and are logged; past it the form answers 429 until the minute
 * ends. The form takes form bodies only (`lib/form_body.ts`).
 *
 * @module
 */
import { type Context, Hono } from "hono";
import type { JSX } from "preact";
import { Layout } from "../components/layout.tsx";
import { renderPage } from "../components/render.tsx";
import type { SiteContext } from "../context.ts";
import { ProblemError } from "../../api/http/problem.ts";
import { readForm } from "../lib/form_body.ts";
import { safeNext } from "../lib/safe_next.ts";
import { clearSessionCookie, setSessionCookie } from "../lib/session_cookie.ts";
import type { SiteEnv } from "../site_env.ts";

interface LoginPageProps {
  ctx: SiteContext;
  next: string;
  error?: string;
}

function hours(seconds: number): string {
  const h = seconds / 3600;
  return Number.isInteger(h) ? `${h} h` : `${Math.round(seconds / 60)} min`;
}

function LoginPage({ ctx, next, error }: LoginPageProps): JSX.Element {
  return (
    <Layout ctx={ctx} title="Log in">
      {error && <p class="note" data-testid="login-error">{error}</p>}
      {!ctx.ring.hasAdminKeys && (
        <p class="note" data-testid="no-admin-keys">
          No <code>ADMIN_KEYS</code>{" "}
          are configured, so no key can open the monitoring site. Set at least one admin key and
          restart the service.
        </p>
      )}
      <form method="post" action={`${ctx.base}/login`} class="login-form">
        <input type="hidden" name="next" value={next} />
        <label for="admin-key">Admin key</label>
        <input
          id="admin-key"
          name="key"
          type="password"
          autocomplete="current-password"
          required
          size={40}
        />
        <button type="submit">Log in</button>
      </form>
      <p class="muted small">
        A key from <code>ADMIN_KEYS</code>{" "}
        opens the site; scoring keys (<code>API_KEYS</code>) cannot. The key is checked once, then
        your browser keeps a session cookie for {hours(ctx.sessions.ttlSeconds)}{" "}
        (readable by no script, sent to <code>{ctx.base}</code> only). API clients can send{" "}
        <code>Authorization: Bearer &lt;admin key&gt;</code> instead.
      </p>
      <p class="muted small" data-testid="iframe-note">
        On Hugging Face Spaces: inside the Space page on huggingface.co the site runs in an iframe
        of another site, and browsers may block its cookie there, so the login does not stick. Open
        the Space at its own address,{" "}
        <code>https://&lt;owner&gt;-&lt;space&gt;.hf.space{ctx.base}</code>, and log in there.
      </p>
    </Layout>
  );
}

/** The 429 of a throttled client (too many failed logins or wrong keys), or null. */
function checkThrottle(
  c: Context<SiteEnv>,
  ctx: SiteContext,
): { message: string; retryAfter: string } | null {
  try {
    ctx.authThrottle?.check(c);
    return null;
  } catch (err) {
    if (!(err instanceof ProblemError)) throw err;
    const retryAfter = err.headers?.["retry-after"] ?? "60";
    return {
      message: `Too many failed attempts from your address: try again in ${retryAfter} s.`,
      retryAfter,
    };
  }
}

/** The login routes (public: before the access check). */
export function loginRoutes(ctx: SiteContext): Hono<SiteEnv> {
  const app = new Hono<SiteEnv>();

  app.get("/login", (c) => {
    const next = safeNext(c.req.query("next"), ctx.base);
    if (ctx.openMode) return c.redirect(next, 303);
    c.header("cache-control", "no-store");
    return renderPage(c, <LoginPage ctx={ctx} next={next} />);
  });

  app.post("/login", async (c) => {
    const body = await readForm(c);
    const next = safeNext(body.next, ctx.base);
    if (ctx.openMode) return c.redirect(next, 303);
    c.header("cache-control", "no-store");
    const throttled = checkThrottle(c, ctx);
    if (throttled) {
      c.header("retry-after", throttled.retryAfter);
      return renderPage(c, <LoginPage ctx={ctx} next={next} error={throttled.message} />, 429);
    }
    const key = typeof body.key === "string" ? body.key.trim() : "";
    const identity = key ? ctx.ring.identify(key) : null;
    if (identity === null) {
      ctx.authThrottle?.failed(c, key ? "failed login (wrong key)" : "failed login (no key)");
      return renderPage(
        c,
        <LoginPage ctx={ctx} next={next} error="That key is not valid: check it and try again." />,
        401,
      );
    }
    if (identity.scope !== "admin") {
      return renderPage(
        c,
        <LoginPage
          ctx={ctx}
          next={next}
          error="That is a scoring key (API_KEYS): it may score applications but not open the monitoring site. Use an ADMIN_KEYS key."
        />,
        403,
      );
    }
    setSessionCookie(c, ctx.sessions.issue(identity, ctx.now()), {
      path: ctx.base,
      maxAgeSeconds: ctx.sessions.ttlSeconds,
    });
    return c.redirect(next, 303);
  });
  return app;
}

/** `POST /logout` (behind the access check, so a session's CSRF token is required). */
export function logoutRoutes(ctx: SiteContext): Hono<SiteEnv> {
  const app = new Hono<SiteEnv>();
  app.post("/logout", (c) => {
    clearSessionCookie(c, { path: ctx.base });
    return c.redirect(ctx.openMode ? ctx.base : `${ctx.base}/login`, 303);
  });
  return app;
}
