/**
 * Request statistics: counts every response (including 4xx/5xx
 * that never become predictions) per minute × route × status class with a
 * latency histogram, in memory, and adds the counters to `request_minutes`
 * every `flushIntervalMs` (default 5 s), on {@link RequestStats.flush} (the
 * site calls it before reading) and on {@link RequestStats.close}.
 *
 * Durability (deliberate): these are metrics, not the audit log. A crash
 * loses at most the counters of the last flush interval; a clean shutdown
 * loses nothing if `close()` runs before the database closes. The flush
 * timer is unref'd, so it never keeps the process alive.
 *
 * The front door (`front_door.ts`) records each finished request with
 * {@link routeLabel}.
 *
 * @module
 */
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import type { Store } from "../store/mod.ts";
import { createRequestAggregator, type RequestSample } from "../metrics/request_aggregator.ts";

export type { RequestSample };

/** Options for {@link createRequestStats}. */
export interface RequestStatsOptions {
  /** Flush period, ms; 0 disables the timer (flush by hand). Default 5000. */
  flushIntervalMs?: number;
  /** Wall clock, epoch ms (tests pin it). Default `Date.now`. */
  now?: () => number;
  /** Called when a flush fails; the counters are kept for the next flush. Default: warn. */
  onFlushError?: (error: unknown) => void;
}

/** The recorder of request statistics. */
export interface RequestStats {
  /** Counts one finished request at the current minute. */
  record(sample: Omit<RequestSample, "minute">): void;
  /** Writes the counters gathered since the last flush (after `close`, a no-op). */
  flush(): Promise<void>;
  /** Minute × route × class cells waiting for the next flush. */
  readonly pending: number;
  /** Flushes and stops the timer. Call before closing the database. */
  close(): Promise<void>;
}

/** Creates the recorder writing to the store's request statistics. */
export function createRequestStats(
  requests: Pick<Store["requests"], "add">,
  options: RequestStatsOptions = {},
): RequestStats {
  const now = options.now ?? Date.now;
  const onError = options.onFlushError ??
    ((err: unknown) => console.warn(`request stats: flush failed: ${(err as Error).message}`));
  const agg = createRequestAggregator();
  const period = options.flushIntervalMs ?? 5000;
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  const flush = async () => {
    const deltas = agg.drain();
    if (closed || deltas.length === 0) return;
    try {
      await requests.add(deltas);
    } catch (err) {
      agg.merge(deltas);
      onError(err);
    }
  };
  if (period > 0) {
    const t = setInterval(flush, period);
    Deno.unrefTimer(t);
    timer = t;
  }

  return {
    record: (sample) => agg.add({ ...sample, minute: Math.floor(now() / 60_000) }),
    flush,
    get pending() {
      return agg.size;
    },
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await flush();
      closed = true;
    },
  };
}

/**
 * The route label of a finished request: method and the matched route
 * pattern (`GET /monitor/predictions/:id`), or `(unmatched)` for a 404 that
 * no route handled, so labels stay a small, bounded set.
 */
export function routeLabel(c: Context): string {
  const route = matchedRoutes(c)[c.req.routeIndex];
  if (route === undefined || (route.method === "ALL" && c.res.status === 404)) {
    return "(unmatched)";
  }
  return `${c.req.method} ${route.path}`;
}
