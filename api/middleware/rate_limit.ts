/**
 * Per-client rate limit (Hono middleware) on `hono-rate-limiter`: a fixed
 * one-minute window per API key (or per client address in open mode), 429
 * problem+json with `Retry-After` beyond the limit, and the draft-7
 * `RateLimit` headers on every limited route's response.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/deno";
import { MemoryStore, rateLimiter } from "hono-rate-limiter";
import type { AppEnv } from "../http/env.ts";
import { ProblemError } from "../http/problem.ts";

/** Options for {@link perClientRateLimit}. */
export interface RateLimitOptions {
  /** Requests per client per minute. */
  perMinute: number;
  /** Take the client address from `X-Forwarded-For` (behind a trusted proxy only). */
  trustProxy?: boolean;
}

/** The limiter; `close` stops the store's sweep timer. */
export interface RateLimit {
  middleware: MiddlewareHandler<AppEnv>;
  close(): void;
}

/**
 * The address a request came from (`unknown` outside a real server). With
 * `trustProxy`, the last `X-Forwarded-For` entry: the address the trusted
 * proxy saw and appended. The first entries are whatever the client sent
 * (a client rotating them would otherwise get a fresh budget each time).
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Creates the limiter. */
export function perClientRateLimit(options: RateLimitOptions): RateLimit {
  const store = new MemoryStore<AppEnv>();
  const middleware = rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: "draft-7",
    store,
    keyGenerator: (c) => {
      const identity = c.get("identity");
      return identity
        ? `key:${identity.id}`
        : `ip:${clientAddress(c, options.trustProxy ?? false)}`;
    },
    handler: (c) => {
      const reset = (c.get("rateLimit" as never) as { resetTime?: Date } | undefined)?.resetTime;
      const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
      throw new ProblemError(
        429,
        "rate-limited",
        `more than ${options.perMinute} requests in a minute from this client ` +
          `(RATE_LIMIT_PER_MINUTE); retry in ${seconds} s`,
        { headers: { "retry-after": String(seconds) } },
      );
    },
  });
  return { middleware, close: () => store.shutdown() };
}
