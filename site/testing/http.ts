/**
 * Small request helpers for the site's server tests (in-process `app.request`).
 *
 * @module
 */
import { SESSION_COOKIE } from "../../api/auth/session.ts";

/** Anything with Hono's `request`. */
export interface Requester {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/** A response as the helpers return it. */
export interface PageResponse {
  status: number;
  headers: Headers;
  html: string;
}

/** GETs a page (optionally with extra headers, e.g. a cookie); returns status, headers, body. */
export async function getPage(
  app: Requester,
  path: string,
  options: { headers?: Record<string, string> } = {},
): Promise<PageResponse> {
  const res = await app.request(path, { headers: options.headers, redirect: "manual" });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

/** POSTs a form as a browser on the same origin would (with an Origin header). */
export async function postForm(
  app: Requester,
  path: string,
  fields: Record<string, string>,
  options: { origin?: string | null; headers?: Record<string, string> } = {},
): Promise<PageResponse> {
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    ...options.headers,
  };
  const origin = options.origin === undefined ? "http://localhost" : options.origin;
  if (origin !== null) headers.origin = origin;
  const res = await app.request(path, {
    method: "POST",
    headers,
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

/** The `name=value` pair of a response's Set-Cookie for `name`, as a Cookie header sends it. */
export function cookiePair(res: { headers: Headers }, name: string): string | null {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(";")[0];
    if (pair.startsWith(`${name}=`)) return pair;
  }
  return null;
}

/** The hidden CSRF token of a page's forms (null when the page has none). */
export function csrfTokenOf(html: string): string | null {
  return html.match(/<input type="hidden" name="_csrf" value="([^"]+)"/)?.[1] ?? null;
}

/** The JSON object of an island's props block on a page. */
export function islandProps(html: string, name: string): unknown {
  const marker = html.match(new RegExp(`data-island="${name}" data-props="([^"]+)"`));
  if (!marker) throw new Error(`no island ${name} on the page`);
  const block = html.match(
    new RegExp(`<script type="application/json" id="${marker[1]}"[^>]*>(.*?)</script>`, "s"),
  );
  if (!block) throw new Error(`no props block for island ${name}`);
  return JSON.parse(block[1]);
}

/** A browser session on the site: its cookie header and its forms' CSRF token. */
export interface SiteSession {
  cookie: string;
  csrf: string;
}

/** Logs in through the login form with `key`; throws unless a session cookie is set. */
export async function logIn(app: Requester, key: string): Promise<SiteSession> {
  const res = await postForm(app, "/monitor/login", { key, next: "/monitor/score" });
  const cookie = cookiePair(res, SESSION_COOKIE);
  if (res.status !== 303 || cookie === null) throw new Error(`login refused: HTTP ${res.status}`);
  const page = await getPage(app, "/monitor/score", { headers: { cookie } });
  const csrf = csrfTokenOf(page.html);
  if (csrf === null) throw new Error("no CSRF token on the scoring form after logging in");
  return { cookie, csrf };
}
