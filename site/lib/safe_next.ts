/**
 * The page to go to after logging in (`?next=`): only a path under the site
 * itself is accepted, so the login page cannot be used as an open redirect
 * (no absolute or scheme-relative URL, no backslash or control-character
 * tricks, no `..` escaping the site).
 *
 * @module
 */

/** Longest `next` accepted (longer ones fall back to the site root). */
export const MAX_NEXT_LENGTH = 2000;

const PROBE_ORIGIN = "http://next.invalid";

/**
 * `next` when it is a local path under `base` (normalised, percent-encoded,
 * without fragment), else `base`. Never the login or logout page itself.
 */
export function safeNext(next: unknown, base: string): string {
  if (typeof next !== "string" || next.length === 0 || next.length > MAX_NEXT_LENGTH) return base;
  // Browsers treat "\" like "/" and drop tabs and newlines: "/\evil.example" would leave the site.
  // deno-lint-ignore no-control-regex -- matching control characters is the point.
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return base;
  if (!next.startsWith("/") || next.startsWith("//")) return base;
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return base;
  }
  if (url.origin !== PROBE_ORIGIN) return base;
  const path = url.pathname;
  if (path !== base && !path.startsWith(`${base}/`)) return base;
  if (path === `${base}/login` || path === `${base}/logout`) return base;
  return `${path}${url.search}`;
}
