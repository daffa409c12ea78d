/**
 * The numbers and tables every bench suite shares: quantiles, medians,
 * in-process timing, number formatting, markdown tables, and the shape of a
 * suite's result.
 *
 * @module
 */

/** What a suite measured: written to `outputs/perf/<suite>_latest.json`, and printed. */
export interface SuiteReport {
  json: Record<string, unknown>;
  markdown: string;
}

/** A suite's entry point: its command-line flags in, its report out; `log` shows progress. */
export type SuiteRun = (
  args: readonly string[],
  log: (line: string) => void,
) => Promise<SuiteReport>;

/**
 * The `q` quantile of ascending `sorted` values, interpolated linearly
 * between the nearest order statistics (R's type 7, NumPy's default). NaN
 * when empty.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.ceil(pos)] - sorted[lo]) * (pos - lo);
}

/** The median of the finite values of `values` (any order); NaN when there are none. */
export function median(values: readonly (number | null | undefined)[]): number {
  const xs = values.filter((x): x is number => typeof x === "number" && Number.isFinite(x));
  return quantileSorted(xs.sort((a, b) => a - b), 0.5);
}

/**
 * Median µs per call of each function over `reps` rounds of `n` calls, after
 * one unmeasured warm-up round. The functions take turns within each round
 * (interleaved), so a slow phase of this noisy, shared machine hits them all
 * alike and their ratios stay meaningful.
 */
export async function timePerCall(
  fns: Readonly<Record<string, (i: number) => unknown>>,
  options: { reps: number; n: number },
): Promise<Record<string, number>> {
  const rounds = new Map(Object.keys(fns).map((name) => [name, [] as number[]]));
  for (let r = 0; r <= options.reps; r++) {
    for (const [name, fn] of Object.entries(fns)) {
      const t0 = performance.now();
      for (let i = 0; i < options.n; i++) {
        const v = fn(i);
        if (v instanceof Promise) await v;
      }
      if (r > 0) rounds.get(name)!.push(((performance.now() - t0) * 1000) / options.n);
    }
  }
  return Object.fromEntries([...rounds].map(([name, us]) => [name, median(us)]));
}

/** A number for a table: 3 significant digits (thousands whole); "–" when missing. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  if (Math.abs(x) >= 10 ** digits) return Math.round(x).toString();
  return Number(x.toPrecision(digits)).toString();
}

/** A markdown table with padded columns. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, j) => c.padEnd(widths[j])).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)]
    .join("\n");
}
