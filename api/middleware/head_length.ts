/**
 * `HEAD` answers carry the `Content-Length` of the `GET` (RFC 9110 §9.3.2).
 * Hono answers `HEAD` by running the `GET` route and dropping its body, and
 * the server then counts the empty body: `content-length: 0`. This
 * function measures the `GET`'s body first and states its length.
 *
 * @module
 */
import type { Context } from "hono";

/** Sets `Content-Length` on a `HEAD` answer (`c.res`) from the body the `GET` would send. */
export async function setHeadContentLength(c: Context): Promise<void> {
  if (c.req.method !== "HEAD" || c.res.body === null) return;
  if (c.res.headers.has("content-length")) return;
  const bytes = await c.res.clone().arrayBuffer();
  c.res.headers.set("content-length", String(bytes.byteLength));
}
