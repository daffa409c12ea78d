/**
 * In-memory request counters per minute × route × status class, drained as
 * deltas for `request_minutes`. Pure: no clock, no I/O. Memory is bounded by
 * (minutes between drains) × (route labels) × 4 status classes.
 *
 * @module
 */
import { LATENCY_BUCKET_COUNT, latencyBucket } from "../store/histograms.ts";
import { type RequestMinute, type StatusClass, statusClassOf } from "../store/mod.ts";

/** One finished request. */
export interface RequestSample {
  /** Epoch minute the request finished in. */
  minute: number;
  /** Route label, e.g. `POST /predict`. */
  route: string;
  status: number;
  /** Server time, ms. */
  ms: number;
}

/** Accumulates samples; {@link RequestAggregator.drain} hands them over and starts afresh. */
export interface RequestAggregator {
  add(sample: RequestSample): void;
  /** Adds already-aggregated counters back (e.g. after a failed write). */
  merge(deltas: readonly RequestMinute[]): void;
  /** The counters so far, as deltas; the aggregator is empty afterwards. */
  drain(): RequestMinute[];
  /** Distinct minute × route × class keys held. */
  readonly size: number;
}

/** Creates an empty aggregator. */
export function createRequestAggregator(): RequestAggregator {
  let cells = new Map<string, RequestMinute>();

  const cell = (minute: number, route: string, statusClass: StatusClass): RequestMinute => {
    const key = `${minute}\u0000${route}\u0000${statusClass}`;
    let c = cells.get(key);
    if (c === undefined) {
      c = {
        minute,
        route,
        statusClass,
        n: 0,
        sumMs: 0,
        maxMs: 0,
        buckets: new Array<number>(LATENCY_BUCKET_COUNT).fill(0),
      };
      cells.set(key, c);
    }
    return c;
  };

  return {
    add({ minute, route, status, ms }) {
      const c = cell(minute, route, statusClassOf(status));
      const t = Number.isFinite(ms) && ms > 0 ? ms : 0;
      c.n++;
      c.sumMs += t;
      if (t > c.maxMs) c.maxMs = t;
      c.buckets[latencyBucket(t)]++;
    },
    merge(deltas) {
      for (const d of deltas) {
        const c = cell(d.minute, d.route, d.statusClass);
        c.n += d.n;
        c.sumMs += d.sumMs;
        if (d.maxMs > c.maxMs) c.maxMs = d.maxMs;
        d.buckets.forEach((k, i) => (c.buckets[i] += k));
      }
    },
    drain() {
      const out = [...cells.values()];
      cells = new Map();
      return out;
    },
    get size() {
      return cells.size;
    },
  };
}
