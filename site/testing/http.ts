/**
 * Small request helpers for the site's server tests (in-process `app.request`).
 *
 * @module
 */

/** Anything with Hono's `request`. */
export interface Requester {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/** GETs a page; returns status, headers and body text. */
export async function getPage(
  app: Requester,
  path: string,
): Promise<{ status: number; headers: Headers; html: string }> {
  const res = await app.request(path);
  return { status: res.status, headers: res.headers, html: await res.text() };
}

/** POSTs a form as a browser on the same origin would (with an Origin header). */
export async function postForm(
  app: Requester,
  path: string,
  fields: Record<string, string>,
  options: { origin?: string | null } = {},
): Promise<{ status: number; headers: Headers; html: string }> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
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
