/**
 * Headers every response carries, whatever produced it (a route, the error
 * handler, a static file, a redirect): `X-Content-Type-Options: nosniff`, so
 * no browser guesses a script or a page out of a JSON or text answer; and
 * `Cache-Control: no-store` on the routes whose answers carry applicants'
 * data (scoring, feedback), so no shared or browser cache keeps them.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";

/** Sets `X-Content-Type-Options: nosniff` on every response passing through. */
export function noSniff(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set("x-content-type-options", "nosniff");
  };
}

/** Sets `Cache-Control: no-store` on every response of the routes it guards, errors included. */
export function noStore(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set("cache-control", "no-store");
  };
}
