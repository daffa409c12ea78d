/**
 * The time window every page is filtered by (`?window=1h|24h|7d|all`) and its
 * bucketing for charts. Windows are aligned to whole UTC minutes, like the
 * minute rollups they are read from.
 *
 * @module
 */

/** A window choice. */
export interface WindowSpec {
  key: "1h" | "24h" | "7d" | "all";
  label: string;
  /** Length in minutes; `null` = everything logged. */
  minutes: number | null;
}

/** The choices, shortest first. */
export const WINDOWS: readonly WindowSpec[] = [
  { key: "1h", label: "1 h", minutes: 60 },
  { key: "24h", label: "24 h", minutes: 1440 },
  { key: "7d", label: "7 d", minutes: 10_080 },
  { key: "all", label: "All", minutes: null },
];

/** The window used when the query string names none (or an unknown one). */
export const DEFAULT_WINDOW: WindowSpec = WINDOWS[1];

/** The window named by a query-string value. */
export function parseWindow(value: string | undefined | null): WindowSpec {
  return WINDOWS.find((w) => w.key === value) ?? DEFAULT_WINDOW;
}

/** A window resolved against the clock and the data. */
export interface WindowRange {
  spec: WindowSpec;
  /** Current epoch minute. */
  nowMinute: number;
  /** First minute of the window; `undefined` = unbounded ("all" on an empty log). */
  fromMinute?: number;
  /** `fromMinute` as an ISO timestamp (for `ts_utc >= since` filters). */
  since?: string;
  /** Chart bucket width, minutes. */
  bucketMinutes: number;
  /** Start minute of every chart bucket, oldest first. */
  bucketStarts: number[];
}

/** Bucket widths for "all", smallest first (1 min … 30 days). */
const BUCKET_STEPS = [1, 5, 15, 60, 180, 360, 1440, 10_080, 43_200];

/** Most chart points a window is cut into. */
export const MAX_BUCKETS = 150;

const FIXED_BUCKETS: Record<string, number> = { "1h": 1, "24h": 15, "7d": 120 };

function bucketFor(spanMinutes: number): number {
  const step = BUCKET_STEPS.find((s) => spanMinutes / s <= MAX_BUCKETS);
  return step ?? Math.ceil(spanMinutes / MAX_BUCKETS);
}

/**
 * Resolves a window at `now`. For "all", `firstMinute` (the oldest logged
 * minute, if any) sets the start and the bucket width.
 */
export function windowRange(
  spec: WindowSpec,
  now: Date,
  firstMinute?: number,
): WindowRange {
  const nowMinute = Math.floor(now.getTime() / 60_000);
  const fromMinute = spec.minutes === null
    ? (firstMinute === undefined ? undefined : Math.min(firstMinute, nowMinute))
    : nowMinute - spec.minutes + 1;
  const bucketMinutes = FIXED_BUCKETS[spec.key] ??
    bucketFor(nowMinute - (fromMinute ?? nowMinute) + 1);
  const bucketStarts: number[] = [];
  if (fromMinute !== undefined) {
    for (
      let m = Math.floor(fromMinute / bucketMinutes) * bucketMinutes;
      m <= nowMinute;
      m += bucketMinutes
    ) bucketStarts.push(m);
  }
  return {
    spec,
    nowMinute,
    fromMinute,
    since: fromMinute === undefined ? undefined : new Date(fromMinute * 60_000).toISOString(),
    bucketMinutes,
    bucketStarts,
  };
}
