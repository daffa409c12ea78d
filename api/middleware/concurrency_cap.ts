/**
 * Load shedding (Hono middleware): at most `max` requests are handled at
 * once; beyond that a request is answered at once with 503 and `Retry-After`
 * instead of queueing without bound (which would grow memory and latency for
 * everyone until the process falls over).
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { ProblemError } from "../http/problem.ts";

/** Options for {@link concurrencyCap}. */
export interface ConcurrencyCapOptions {
  /** Most requests in flight. */
  max: number;
  /** Seconds a shed client should wait. Default 1. */
  retryAfterSeconds?: number;
}

/** The middleware and a view of its current load. */
export interface ConcurrencyCap {
  middleware: MiddlewareHandler;
  /** Requests in flight now. */
  readonly inFlight: number;
}

/** Creates the cap. */
export function concurrencyCap(options: ConcurrencyCapOptions): ConcurrencyCap {
  let inFlight = 0;
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  return {
    get inFlight() {
      return inFlight;
    },
    middleware: async (_c, next) => {
      if (inFlight >= options.max) {
        throw new ProblemError(
          503,
          "overloaded",
          `the service is handling ${options.max} requests (MAX_CONCURRENT_REQUESTS); retry shortly`,
          { headers: { "retry-after": retryAfter } },
        );
      }
      inFlight++;
      try {
        await next();
      } finally {
        inFlight--;
      }
    },
  };
}
