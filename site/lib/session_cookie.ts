/**
 * The site's session cookie: `HttpOnly` (no script can read it),
 * `SameSite=Lax` (not sent with cross-site form posts or frames),
 * `Path=<site base>`, `Max-Age` = the session lifetime, and `Secure` when the
 * request came over HTTPS — also when a proxy terminated TLS and said so in
 * `X-Forwarded-Proto` (Hugging Face Spaces does; a client forging it only
 * gets a cookie its plain-HTTP browser will not send back).
 *
 * @module
 */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../../api/auth/session.ts";

/** The parts of a request {@link isHttps} reads (Hono's `c.req`). */
export interface RequestLike {
  url: string;
  header(name: string): string | undefined;
}

/** True when the browser reached the service over HTTPS. */
export function isHttps(req: RequestLike): boolean {
  const forwarded = req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (forwarded === "https") return true;
  return new URL(req.url).protocol === "https:";
}

const attributes = (c: Context, path: string) => ({
  path,
  httpOnly: true,
  sameSite: "Lax" as const,
  secure: isHttps(c.req),
});

/** Sets the session cookie for `maxAgeSeconds`. */
export function setSessionCookie(
  c: Context,
  token: string,
  options: { path: string; maxAgeSeconds: number },
): void {
  setCookie(c, SESSION_COOKIE, token, {
    ...attributes(c, options.path),
    maxAge: options.maxAgeSeconds,
  });
}

/** Clears the session cookie (`Max-Age=0`, same attributes). */
export function clearSessionCookie(c: Context, options: { path: string }): void {
  deleteCookie(c, SESSION_COOKIE, attributes(c, options.path));
}
