/**
 * `request_minutes`: HTTP request statistics per minute × route × status
 * class (schema migration 2), written as deltas by the request-stats
 * recorder and read by the monitoring site. Unlike `predictions`, these
 * rows are metrics: they include requests that never became predictions
 * (4xx, 5xx, pages), and a crash may lose the last unflushed interval.
 *
 * @module
 */
import { LATENCY_BUCKET_COUNT, LATENCY_COLUMNS } from "./histograms.ts";
import { type Condition, placeholders, type Sql, where } from "./_sql.ts";

/** Status class of a response: 2 for 2xx, … 5 for 5xx (1xx counts as 2). */
export type StatusClass = 2 | 3 | 4 | 5;

/** The status class of an HTTP status. */
export function statusClassOf(status: number): StatusClass {
  if (status >= 500) return 5;
  if (status >= 400) return 4;
  if (status >= 300) return 3;
  return 2;
}

/** Counters of one minute × route × status class (a delta to add, or a read-back sum). */
export interface RequestMinute {
  /** Epoch minute. */
  minute: number;
  /** Route label, e.g. `POST /predict`. */
  route: string;
  statusClass: StatusClass;
  n: number;
  sumMs: number;
  maxMs: number;
  /** Requests per latency bucket (see `histograms.ts`). */
  buckets: number[];
}

/** Which rows to read. */
export interface RequestFilter {
  /** Inclusive first minute; unbounded when absent. */
  fromMinute?: number;
  /** Exclusive last minute; unbounded when absent. */
  toMinute?: number;
  /** Only these route labels (all routes when absent). */
  routes?: readonly string[];
}

function whereFilter(filter: RequestFilter) {
  const { routes } = filter;
  const inRoutes: Condition[] = routes === undefined
    ? []
    : [[routes.length ? `route IN (${routes.map(() => "?").join(", ")})` : "1 = 0", ...routes]];
  return where(["minute >= ?", filter.fromMinute], ["minute < ?", filter.toMinute], ...inRoutes);
}

const SUMS = `sum(n) AS n, sum(sum_ms) AS sum_ms, max(max_ms) AS max_ms, ${
  LATENCY_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(", ")
}`;

function toMinute(
  r: Record<string, number | string>,
  minute: number,
  route: string,
): RequestMinute {
  return {
    minute,
    route,
    statusClass: Number(r.status_class) as StatusClass,
    n: Number(r.n),
    sumMs: Number(r.sum_ms),
    maxMs: Number(r.max_ms),
    buckets: LATENCY_COLUMNS.map((c) => Number(r[c])),
  };
}

/** Request statistics: adding deltas, and the site's reads. */
export interface RequestStatsStore {
  /** Adds deltas in one transaction (all or nothing). */
  add(deltas: readonly RequestMinute[]): Promise<void>;
  /**
   * Sums per route × status class over a window (`minute` of each result is
   * the window's `fromMinute`, or 0), ordered by route then class.
   */
  totalsByRoute(filter?: RequestFilter): Promise<RequestMinute[]>;
  /**
   * Sums per time bucket × status class (× route with `byRoute`), oldest
   * first; empty buckets are absent. One pass over the window: a caller that
   * needs several views (per route, all routes, some routes) derives them
   * from the `byRoute` rows, which are few (buckets × routes × classes).
   */
  series(filter: RequestSeriesFilter): Promise<RequestMinute[]>;
  /** The first minute holding request statistics (`null` when there are none). */
  firstMinute(): Promise<number | null>;
}

/** Options for {@link RequestStatsStore.series}. */
export interface RequestSeriesFilter extends RequestFilter {
  /** Bucket width in minutes (≥ 1). */
  bucketMinutes: number;
  /** Keep routes apart (default: merged, `route` is `*`). */
  byRoute?: boolean;
}

/** The request statistics over an executor. */
export function requestStatsStore(sql: Sql): RequestStatsStore {
  const cols = LATENCY_COLUMNS.join(", ");
  const t = "request_minutes";
  const upsert = `INSERT INTO ${t} (minute, route, status_class, n, sum_ms, max_ms, ${cols})
     VALUES (${placeholders(6 + LATENCY_COLUMNS.length)})
     ON CONFLICT (minute, route, status_class) DO UPDATE SET
       n = ${t}.n + excluded.n, sum_ms = ${t}.sum_ms + excluded.sum_ms,
       max_ms = ${sql.dialect.greatest(`${t}.max_ms`, "excluded.max_ms")},
       ${LATENCY_COLUMNS.map((c) => `${c} = ${t}.${c} + excluded.${c}`).join(", ")}`;
  return {
    async add(deltas) {
      if (deltas.length === 0) return;
      for (const d of deltas) {
        if (d.buckets.length !== LATENCY_BUCKET_COUNT) {
          throw new RangeError(`expected ${LATENCY_BUCKET_COUNT} latency buckets`);
        }
      }
      await sql.transaction(async (tx) => {
        for (const d of deltas) {
          await tx.run(upsert, [
            d.minute,
            d.route,
            d.statusClass,
            d.n,
            d.sumMs,
            d.maxMs,
            ...d.buckets,
          ]);
        }
      });
    },
    async totalsByRoute(filter = {}) {
      const w = whereFilter(filter);
      const rows = await sql.all<Record<string, number | string>>(
        `SELECT route, status_class, ${SUMS} FROM request_minutes ${w.sql}
         GROUP BY route, status_class ORDER BY route, status_class`,
        w.params,
      );
      return rows.map((r) => toMinute(r, filter.fromMinute ?? 0, String(r.route)));
    },
    async series(filter) {
      const size = Math.max(1, Math.trunc(filter.bucketMinutes));
      const w = whereFilter(filter);
      const route = filter.byRoute ? "route, " : "";
      const rows = await sql.all<Record<string, number | string>>(
        `SELECT (minute / ${size}) * ${size} AS bucket, ${route}status_class, ${SUMS}
         FROM request_minutes ${w.sql}
         GROUP BY 1, ${route}status_class ORDER BY 1, ${route}status_class`,
        w.params,
      );
      return rows.map((r) => toMinute(r, Number(r.bucket), filter.byRoute ? String(r.route) : "*"));
    },
    async firstMinute() {
      const row = await sql.get<{ m: number | null }>(
        "SELECT min(minute) AS m FROM request_minutes",
      );
      return row?.m === null || row?.m === undefined ? null : Number(row.m);
    },
  };
}
