/**
 * What a load window did inside a server, from two scrapes of its `/metrics`
 * (Prometheus text format), before and after: the growth of a counter
 * (`process_cpu_seconds_total`) and the quantiles of the observations a
 * histogram gained (`http_request_duration_seconds` of one route), estimated
 * as PromQL's `histogram_quantile` does.
 *
 * Hand-written: prom-client only writes this format, and the few dozen lines
 * here are less than a parser dependency.
 *
 * @module
 */

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Samples of metric `name` whose labels include every pair of `labels`: [labels, value]. */
function samples(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>>,
): [Map<string, string>, number][] {
  const out: [Map<string, string>, number][] = [];
  for (const line of text.split("\n")) {
    const m = SAMPLE.exec(line);
    if (!m || m[1] !== name) continue;
    const found = new Map([...(m[2] ?? "").matchAll(LABEL)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => found.get(k) === v)) {
      out.push([found, m[3] === "+Inf" ? Infinity : Number(m[3])]);
    }
  }
  return out;
}

/** The sum of the samples of counter or gauge `name` (with `labels`); null when there is none. */
export function sampleSum(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | null {
  const found = samples(text, name, labels);
  return found.length ? found.reduce((s, [, v]) => s + v, 0) : null;
}

/** Cumulative bucket counts by ascending bound (the last is `+Inf`), series with `labels` summed. */
function buckets(text: string, name: string, labels: Readonly<Record<string, string>>) {
  const byBound = new Map<number, number>();
  for (const [found, value] of samples(text, `${name}_bucket`, labels)) {
    const le = found.get("le");
    const bound = le === "+Inf" ? Infinity : Number(le);
    byBound.set(bound, (byBound.get(bound) ?? 0) + value);
  }
  return [...byBound].sort((a, b) => a[0] - b[0]);
}

/**
 * The `q` quantile of cumulative `[bound, count]` buckets by PromQL's rules:
 * find the bucket holding rank `q · total`, interpolate linearly between its
 * lower bound (the previous bound, 0 for the first) and its bound; a rank in
 * the `+Inf` bucket answers the highest finite bound. Null when empty.
 */
export function bucketQuantile(q: number, cumulative: readonly [number, number][]): number | null {
  const total = cumulative.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  const b = cumulative.findIndex(([, count]) => count >= rank);
  const [bound, count] = cumulative[b];
  const [lower, below] = b === 0 ? [0, 0] : cumulative[b - 1];
  if (bound === Infinity) return lower;
  return count === below ? lower : lower + (bound - lower) * ((rank - below) / (count - below));
}

/** Count and quantiles (in the histogram's unit × `scale`) of what a histogram gained. */
export interface HistogramDelta {
  count: number;
  p50: number | null;
  p99: number | null;
}

/**
 * The observations histogram `name` (series with `labels`) gained between
 * the scrapes `before` and `after`; null when it gained none.
 */
export function histogramDelta(
  before: string,
  after: string,
  name: string,
  options: { labels?: Readonly<Record<string, string>>; scale?: number } = {},
): HistogramDelta | null {
  const labels = options.labels ?? {};
  const old = new Map(buckets(before, name, labels));
  const gained = buckets(after, name, labels).map(([le, n]): [number, number] => [
    le,
    n - (old.get(le) ?? 0),
  ]);
  const count = gained.at(-1)?.[1] ?? 0;
  if (count <= 0) return null;
  const q = (p: number) => {
    const v = bucketQuantile(p, gained);
    return v === null ? null : v * (options.scale ?? 1);
  };
  return { count, p50: q(0.5), p99: q(0.99) };
}
