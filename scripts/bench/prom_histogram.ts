/**
 * Prometheus histograms read from the text exposition format (what `/metrics`
 * serves): parse one histogram's buckets, subtract a "before" scrape from an
 * "after" scrape, and estimate quantiles the way PromQL's
 * `histogram_quantile` does (linear interpolation inside the bucket that
 * holds the rank).
 *
 * Hand-written because prom-client only writes this format and leaves
 * quantiles to the query side, and no maintained npm parser of the text
 * format is a dependency; `api/store/histograms.ts` has the same rule but for
 * its own fixed millisecond bounds, not for arbitrary `le` buckets.
 *
 * @module
 */

/** One cumulative bucket: observations ≤ `le` (`Infinity` for `+Inf`). */
export interface CumulativeBucket {
  le: number;
  count: number;
}

/** A histogram: cumulative buckets by ascending `le` (the last is `+Inf`), sum and count. */
export interface HistogramSnapshot {
  buckets: CumulativeBucket[];
  sum: number;
  count: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

function parseLabels(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!text) return out;
  for (const m of text.matchAll(LABEL)) out.set(m[1], unescapeLabel(m[2]));
  return out;
}

function parseValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

function matches(labels: Map<string, string>, wanted: Readonly<Record<string, string>>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels.get(k) === v);
}

/**
 * The sum of the samples of metric `name` (a counter or gauge) whose labels
 * include every pair of `labels`; null when there is none.
 */
export function parseSampleSum(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | null {
  let total: number | null = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m || m[1] !== name || !matches(parseLabels(m[2]), labels)) continue;
    total = (total ?? 0) + parseValue(m[3]);
  }
  return total;
}

/**
 * Reads histogram `name` from exposition text, keeping the series whose
 * labels include every pair of `labels` and adding them up (so `{route}`
 * alone sums over every status). Null when no series matches.
 */
export function parseHistogram(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): HistogramSnapshot | null {
  const buckets = new Map<number, number>();
  let sum = 0;
  let count = 0;
  let found = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const [, metric, labelText, valueText] = m;
    if (metric !== `${name}_bucket` && metric !== `${name}_sum` && metric !== `${name}_count`) {
      continue;
    }
    const parsed = parseLabels(labelText);
    if (!matches(parsed, labels)) continue;
    found = true;
    const value = parseValue(valueText);
    if (metric === `${name}_sum`) sum += value;
    else if (metric === `${name}_count`) count += value;
    else {
      const le = parseValue(parsed.get("le") ?? "NaN");
      if (Number.isNaN(le)) throw new Error(`${name}_bucket without a numeric le label: ${line}`);
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    }
  }
  if (!found) return null;
  return {
    buckets: [...buckets].sort((a, b) => a[0] - b[0]).map(([le, c]) => ({ le, count: c })),
    sum,
    count,
  };
}

/**
 * `after − before`: the observations made between two scrapes of the same
 * series. A missing `before` (the series did not exist yet) counts as empty.
 * Throws when the bucket bounds differ or a count went down (a restart).
 */
export function subtractHistogram(
  after: HistogramSnapshot,
  before: HistogramSnapshot | null,
): HistogramSnapshot {
  if (!before) return after;
  if (
    after.buckets.length !== before.buckets.length ||
    after.buckets.some((b, i) => b.le !== before.buckets[i].le)
  ) {
    throw new Error("histogram bucket bounds differ between the two scrapes");
  }
  const buckets = after.buckets.map((b, i) => ({
    le: b.le,
    count: b.count - before.buckets[i].count,
  }));
  if (buckets.some((b) => b.count < 0) || after.count < before.count) {
    throw new Error(
      "histogram counts went down between the two scrapes (did the service restart?)",
    );
  }
  return { buckets, sum: after.sum - before.sum, count: after.count - before.count };
}

/**
 * The `q` quantile (0 ≤ q ≤ 1) by PromQL's `histogram_quantile` rules: the
 * rank `q · total` is located in the first bucket whose cumulative count
 * reaches it, and interpolated linearly between that bucket's lower bound
 * (the previous `le`, or 0 for the first bucket) and its `le`. A rank in the
 * `+Inf` bucket answers the highest finite `le`. Null without observations.
 */
export function histogramQuantile(q: number, h: HistogramSnapshot): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not in [0, 1]`);
  const { buckets } = h;
  if (buckets.length < 2 || buckets[buckets.length - 1].le !== Infinity) {
    throw new Error("a histogram needs at least one finite bucket and the +Inf bucket");
  }
  const total = buckets[buckets.length - 1].count;
  if (total === 0) return null;
  const rank = q * total;
  // The +Inf bucket holds `total ≥ rank`, so this always finds one.
  const b = buckets.findIndex((bucket) => bucket.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2].le;
  if (b === 0 && buckets[0].le <= 0) return buckets[0].le;
  const lower = b === 0 ? 0 : buckets[b - 1].le;
  const below = b === 0 ? 0 : buckets[b - 1].count;
  const inBucket = buckets[b].count - below;
  if (inBucket === 0) return lower;
  return lower + (buckets[b].le - lower) * ((rank - below) / inBucket);
}
