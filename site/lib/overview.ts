/**
 * The overview's numbers for a window: headline KPIs, time charts, per-route
 * request statistics and the facts the alerts look at, all read from the
 * minute rollups (`prediction_minutes`, `request_minutes`), so the cost
 * depends on the window's minutes, not on the number of logged predictions.
 *
 * @module
 */
import { LATENCY_BUCKET_COUNT, latencyQuantile } from "../../api/store/histograms.ts";
import type {
  PredictionBucket,
  PredictionTotals,
  RequestMinute,
  Store,
  VersionCount,
} from "../../api/store/mod.ts";
import { formatCount, formatMs, formatProba, formatShare } from "../shared/format.ts";
import type { Kpi, OverviewLive, TimeChartSpec } from "../shared/types.ts";
import { SCORING_ROUTES } from "../../monitoring/operational.ts";
import { ALERT_LIMITS } from "./alerts.ts";
import { addCounts, alignBuckets, ratio, rollingRatio } from "./series.ts";
import type { WindowRange } from "./window.ts";

/**
 * Route labels (see the request-stats middleware) whose latency is the
 * service's scoring latency (shared with the operational alerts).
 */
export { SCORING_ROUTES };

/** Buckets in the rolling means of the decision chart. */
export const ROLLING_BUCKETS = 5;

/** Request statistics of one route over the window. */
export interface RouteStats {
  route: string;
  n: number;
  clientErrors: number;
  serverErrors: number;
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** Everything the overview shows besides the live part. */
export interface OverviewFacts {
  totals: PredictionTotals;
  /** All routes merged (`route` = `*`). */
  requests: RouteStats;
  /** The scoring routes merged. */
  scoring: RouteStats;
  routes: RouteStats[];
  versions: VersionCount[];
}

/** Merges request rows (any mix of minutes, routes and classes) into route statistics. */
export function routeStats(route: string, rows: readonly RequestMinute[]): RouteStats {
  let n = 0;
  let clientErrors = 0;
  let serverErrors = 0;
  let sumMs = 0;
  let maxMs = 0;
  const buckets = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  for (const r of rows) {
    n += r.n;
    if (r.statusClass === 4) clientErrors += r.n;
    if (r.statusClass === 5) serverErrors += r.n;
    sumMs += r.sumMs;
    maxMs = Math.max(maxMs, r.maxMs);
    addCounts(buckets, r.buckets);
  }
  return {
    route,
    n,
    clientErrors,
    serverErrors,
    meanMs: ratio(sumMs, n),
    p50Ms: latencyQuantile(buckets, 0.5, maxMs),
    p95Ms: latencyQuantile(buckets, 0.95, maxMs),
    p99Ms: latencyQuantile(buckets, 0.99, maxMs),
  };
}

function groupBy<T, K>(rows: readonly T[], key: (r: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

const COLORS = {
  requests: "#8250df",
  predictions: "#0969da",
  reject: "#cf222e",
  proba: "#1a7f37",
  p50: "#0969da",
  p95: "#bf8700",
  p99: "#cf222e",
  server: "#cf222e",
  client: "#bf8700",
};

function bucketLabel(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} d`;
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

function charts(
  range: WindowRange,
  predictionRows: readonly PredictionBucket[],
  requestRows: readonly RequestMinute[],
): TimeChartSpec[] {
  const starts = range.bucketStarts;
  const x = starts.map((m) => m * 60);
  const preds = alignBuckets(starts, predictionRows);
  const byBucket = groupBy(requestRows, (r) => r.minute);
  const scoringByBucket = groupBy(
    requestRows.filter((r) => SCORING_ROUTES.includes(r.route)),
    (r) => r.minute,
  );
  const reqs = starts.map((m) => routeStats("*", byBucket.get(m) ?? []));
  const scoring = starts.map((m) => routeStats("scoring", scoringByBucket.get(m) ?? []));

  const n = preds.map((p) => p?.n ?? 0);
  const rejects = preds.map((p) => p?.rejects ?? 0);
  const probaSums = preds.map((p) => p?.sumProba ?? 0);
  const per = bucketLabel(range.bucketMinutes);
  const rolling = `rolling ${bucketLabel(ROLLING_BUCKETS * range.bucketMinutes)}`;
  return [
    {
      id: "chart-traffic",
      title: `Requests and predictions per ${per}`,
      unit: "count",
      x,
      series: [
        { label: "Requests", values: reqs.map((r) => r.n), color: COLORS.requests },
        { label: "Predictions", values: n, color: COLORS.predictions },
      ],
    },
    {
      id: "chart-decisions",
      title: `Reject rate and mean proba_default per ${per}, with ${rolling} means`,
      unit: "share",
      x,
      series: [
        {
          label: "Reject rate",
          values: n.map((v, i) => ratio(rejects[i], v)),
          color: COLORS.reject,
        },
        {
          label: `Reject rate (${rolling})`,
          values: rollingRatio(rejects, n, ROLLING_BUCKETS),
          color: COLORS.reject,
          dashed: true,
        },
        {
          label: "Mean proba",
          values: n.map((v, i) => ratio(probaSums[i], v)),
          color: COLORS.proba,
        },
        {
          label: `Mean proba (${rolling})`,
          values: rollingRatio(probaSums, n, ROLLING_BUCKETS),
          color: COLORS.proba,
          dashed: true,
        },
      ],
    },
    {
      id: "chart-latency",
      title: `Scoring latency (${SCORING_ROUTES.join(", ")}) per ${per}`,
      unit: "ms",
      x,
      series: [
        { label: "p50", values: scoring.map((s) => s.p50Ms), color: COLORS.p50 },
        { label: "p95", values: scoring.map((s) => s.p95Ms), color: COLORS.p95 },
        { label: "p99", values: scoring.map((s) => s.p99Ms), color: COLORS.p99 },
      ],
      limit: { value: ALERT_LIMITS.latencyP95Ms, label: "0.5 s" },
    },
    {
      id: "chart-errors",
      title: `Error rate (all routes) per ${per}`,
      unit: "share",
      x,
      series: [
        {
          label: "5xx",
          values: reqs.map((r) => ratio(r.serverErrors, r.n)),
          color: COLORS.server,
        },
        {
          label: "4xx",
          values: reqs.map((r) => ratio(r.clientErrors, r.n)),
          color: COLORS.client,
        },
      ],
    },
  ];
}

function kpis(facts: OverviewFacts, threshold: number): Kpi[] {
  const { totals, requests, scoring } = facts;
  const L = ALERT_LIMITS;
  const serverRate = ratio(requests.serverErrors, requests.n);
  const clientRate = ratio(scoring.clientErrors, scoring.n);
  return [
    {
      id: "requests",
      label: "Requests",
      value: formatCount(requests.n),
      detail: "all routes",
      tone: "neutral",
    },
    {
      id: "predictions",
      label: "Predictions",
      value: formatCount(totals.n),
      detail: `mean proba ${formatProba(ratio(totals.sumProba, totals.n))}`,
      tone: "neutral",
    },
    {
      id: "reject-rate",
      label: "Reject rate",
      value: formatShare(ratio(totals.rejects, totals.n)),
      detail: `threshold ${threshold.toFixed(3)}`,
      tone: "neutral",
    },
    {
      id: "latency",
      label: "Scoring latency p95",
      value: formatMs(scoring.p95Ms),
      detail: `p50 ${formatMs(scoring.p50Ms)} · p99 ${formatMs(scoring.p99Ms)}`,
      tone: scoring.p95Ms === null ? "neutral" : scoring.p95Ms > L.latencyP95Ms ? "bad" : "ok",
    },
    {
      id: "server-errors",
      label: "Error rate (5xx)",
      value: formatShare(serverRate, 2),
      detail: `${formatCount(requests.serverErrors)} of ${formatCount(requests.n)}`,
      tone: serverRate === null
        ? "neutral"
        : serverRate > L.serverErrorRate
        ? "bad"
        : serverRate > 0
        ? "warn"
        : "ok",
    },
    {
      id: "client-errors",
      label: "Rejected scoring requests (4xx)",
      value: formatShare(clientRate),
      detail: `${formatCount(scoring.clientErrors)} of ${formatCount(scoring.n)}`,
      tone: clientRate === null ? "neutral" : clientRate > L.clientErrorRate ? "warn" : "ok",
    },
  ];
}

/** The overview of one window: the live part (KPIs, charts) and the other facts. */
export async function overviewData(
  store: Pick<Store, "rollups" | "requests">,
  range: WindowRange,
  options: { now: Date; threshold: number },
): Promise<{ live: OverviewLive; facts: OverviewFacts }> {
  const filter = { fromMinute: range.fromMinute };
  const buckets = { ...filter, bucketMinutes: range.bucketMinutes };
  // One pass over request_minutes: per bucket × route × class, a few thousand
  // rows at most, from which the route table, the totals and the charts follow.
  const [routeRows, predictionRows, totals, versions] = await Promise.all([
    store.requests.series({ ...buckets, byRoute: true }),
    store.rollups.series(buckets),
    store.rollups.totals(filter),
    store.rollups.versions(filter),
  ]);
  const routes = [...groupBy(routeRows, (r) => r.route)].map(([route, rows]) =>
    routeStats(route, rows)
  ).sort((a, b) => b.n - a.n);
  const facts: OverviewFacts = {
    totals,
    requests: routeStats("*", routeRows),
    scoring: routeStats("scoring", routeRows.filter((r) => SCORING_ROUTES.includes(r.route))),
    routes,
    versions,
  };
  return {
    live: {
      generatedAt: options.now.toISOString(),
      kpis: kpis(facts, options.threshold),
      charts: charts(range, predictionRows, routeRows),
    },
    facts,
  };
}
