/**
 * Throttling of failed authentication, per client address: wrong API keys
 * (on the API and the site) and failed site logins. Past `perMinute`
 * failures in a one-minute window, every attempt of that address that
 * presents a key or logs in is answered 429 with `Retry-After` until the
 * window ends — a correct key too, or guessing would go on, answered 429 or
 * 200. Each failure is logged (reason, route, client address, request id;
 * never the key).
 *
 * The address is the connection's peer, or the first `X-Forwarded-For`
 * entry with `TRUST_PROXY=1` (behind a proxy, without it every client shares
 * the proxy's address and one guesser locks everyone out).
 *
 * Hand-written rather than on `hono-rate-limiter` (which limits the scoring
 * routes): its store sweeps on an interval timer that every app would have
 * to stop; this one expires windows lazily and holds no timer.
 *
 * @module
 */
import type { Context } from "hono";
import { ProblemError } from "../http/problem.ts";
import { clientAddress } from "./rate_limit.ts";

/** Options for {@link createAuthThrottle}. */
export interface AuthThrottleOptions {
  /** Failures allowed per client address per minute; 0 = never throttle (failures are still logged). */
  perMinute: number;
  /** Take the client address from `X-Forwarded-For` (behind a trusted proxy only). */
  trustProxy?: boolean;
  /** Where failures are reported. Default `console.warn`. */
  log?: (line: string) => void;
  /** Clock in milliseconds (tests pin it). Default `Date.now`. */
  now?: () => number;
  /** Most client addresses tracked at once (memory bound). Default 10,000. */
  maxClients?: number;
}

/** The throttle shared by the API's key check and the site's login. */
export interface AuthThrottle {
  /** Throws a 429 problem (with `Retry-After`) when the request's client is throttled. */
  check(c: Context): void;
  /** Counts and logs a failed attempt of the request's client (`reason` must hold no secret). */
  failed(c: Context, reason: string): void;
}

const WINDOW_MS = 60_000;

interface Window {
  failures: number;
  resetAt: number;
}

/** Client-chosen text as it may appear in a log line (no control characters, bounded). */
function printable(text: string, max: number): string {
  // deno-lint-ignore no-control-regex -- removing control characters is the point
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Creates the throttle. */
export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const windows = new Map<string, Window>();
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.warn(line));
  const maxClients = options.maxClients ?? 10_000;
  const clientOf = (c: Context) => clientAddress(c, options.trustProxy ?? false);

  /** The client's current window, or undefined when it has none or it ended. */
  const current = (client: string, at: number): Window | undefined => {
    const w = windows.get(client);
    if (w !== undefined && w.resetAt <= at) {
      windows.delete(client);
      return undefined;
    }
    return w;
  };

  const evict = (at: number) => {
    for (const [client, w] of windows) if (w.resetAt <= at) windows.delete(client);
    // Still full: drop the oldest windows (Map order is insertion order).
    for (const client of windows.keys()) {
      if (windows.size < maxClients) break;
      windows.delete(client);
    }
  };

  return {
    check(c) {
      if (options.perMinute <= 0) return;
      const at = now();
      const w = current(clientOf(c), at);
      if (w === undefined || w.failures < options.perMinute) return;
      const seconds = Math.max(1, Math.ceil((w.resetAt - at) / 1000));
      throw new ProblemError(
        429,
        "rate-limited",
        `too many failed authentication attempts from this client (more than ` +
          `${options.perMinute} a minute, AUTH_FAILURES_PER_MINUTE); retry in ${seconds} s`,
        { headers: { "retry-after": String(seconds) } },
      );
    },
    failed(c, reason) {
      const at = now();
      const client = clientOf(c);
      let w = current(client, at);
      if (w === undefined) {
        if (windows.size >= maxClients) evict(at);
        w = { failures: 0, resetAt: at + WINDOW_MS };
        windows.set(client, w);
      }
      w.failures += 1;
      const throttled = options.perMinute > 0 && w.failures >= options.perMinute;
      const requestId = (c.get("requestId") as string | undefined) ?? "-";
      log(
        `scorewatch: auth failure: ${reason} on ${c.req.method} ${printable(c.req.path, 200)} ` +
          `from ${
            JSON.stringify(printable(client, 64))
          } [${requestId}] (${w.failures} this minute` +
          `${throttled ? "; further attempts answered 429 until the minute ends" : ""})`,
      );
    },
  };
}
