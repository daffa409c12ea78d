/**
 * Pure parts of the bench report: figures derived from the measurements
 * (cost per row, cost of an explanation, ratios to the hello baseline), the
 * performance targets, and markdown tables.
 *
 * @module
 */
import type { ThroughputResult } from "./measure.ts";
import type { SequentialResult } from "./sequential.ts";

/** The measurements the derived figures are computed from. */
export interface BenchFigures {
  batchSize: number;
  concurrency: number;
  hello: { sequential: SequentialResult; throughput: ThroughputResult };
  sequential: {
    predict: SequentialResult;
    predictExplain: SequentialResult;
    batch: SequentialResult;
    batchExplain: SequentialResult;
  };
  throughput: { predict: ThroughputResult; batch: ThroughputResult };
  /**
   * The framework ladder: GET on the hello server, and GET /health/live on
   * the service (Hono and every global middleware, a trivial handler).
   */
  ladder?: { helloGet: ThroughputResult; live: ThroughputResult };
  /** /predict with the same concurrency but paced below saturation (each client pauses). */
  paced?: ThroughputResult;
  /** Spawn → ready, when the bench started the service. */
  coldStartMs?: number;
}

/** Figures derived from {@link BenchFigures}; null where an input is missing. */
export interface DerivedFigures {
  /** /predict client p50 ÷ hello client p50 (sequential). */
  predictP50VsHello: number | null;
  /** /predict req/s ÷ hello req/s at the same concurrency. */
  predictThroughputVsHello: number | null;
  /** /predict_batch rows/s ÷ hello req/s. */
  batchRowsVsHelloRequests: number | null;
  /** /predict_batch client p50 per row, µs (end to end, sequential). */
  batchUsPerRowClientP50: number | null;
  /** /predict_batch server p50 (`latency_ms`) per row, µs. */
  batchUsPerRowServerP50: number | null;
  /** Wall time per row at full load (1 / rows per second), µs: /predict and /predict_batch. */
  predictUsPerRowAtLoad: number | null;
  batchUsPerRowAtLoad: number | null;
  /**
   * Extra client time of `explain=1` (difference of sequential p50s), per
   * explained row: single /predict (ms), batch (µs).
   */
  explainExtraMsSingle: number | null;
  explainExtraUsPerRowBatch: number | null;
}

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a != null && b != null && b > 0 && Number.isFinite(a) ? a / b : null;
const diff = (a: number | null | undefined, b: number | null | undefined) =>
  a != null && b != null ? a - b : null;
const scale = (x: number | null, k: number) => (x === null ? null : x * k);

/** Computes the derived figures. */
export function deriveFigures(f: BenchFigures): DerivedFigures {
  const seq = f.sequential;
  const rows = f.batchSize;
  const perRowUs = (ms: number | null | undefined) => (ms == null ? null : (ms * 1000) / rows);
  const atLoad = (t: ThroughputResult) => (t.rowsPerS > 0 ? 1e6 / t.rowsPerS : null);
  return {
    predictP50VsHello: ratio(seq.predict.client?.p50, f.hello.sequential.client?.p50),
    predictThroughputVsHello: ratio(
      f.throughput.predict.requestsPerS,
      f.hello.throughput.requestsPerS,
    ),
    batchRowsVsHelloRequests: ratio(f.throughput.batch.rowsPerS, f.hello.throughput.requestsPerS),
    batchUsPerRowClientP50: perRowUs(seq.batch.client?.p50),
    batchUsPerRowServerP50: perRowUs(seq.batch.server?.p50),
    predictUsPerRowAtLoad: atLoad(f.throughput.predict),
    batchUsPerRowAtLoad: atLoad(f.throughput.batch),
    explainExtraMsSingle: diff(seq.predictExplain.client?.p50, seq.predict.client?.p50),
    explainExtraUsPerRowBatch: scale(
      diff(seq.batchExplain.client?.p50, seq.batch.client?.p50),
      1000 / rows,
    ),
  };
}

/** One performance target and whether the run met it. */
export interface TargetCheck {
  target: string;
  /** The measured value, in `unit`; null when not measured. */
  value: number | null;
  unit: string;
  limit: number;
  /** `value ≤ limit` (or ≥ for a floor); null when not measured. */
  met: boolean | null;
  /** Where the measurement deviates from the target's conditions. */
  note?: string;
}

function check(
  target: string,
  value: number | null | undefined,
  options: { unit: string; limit: number; atLeast?: boolean; note?: string },
): TargetCheck {
  const v = value ?? null;
  return {
    target,
    value: v,
    unit: options.unit,
    limit: options.limit,
    met: v === null ? null : options.atLeast ? v >= options.limit : v <= options.limit,
    ...(options.note ? { note: options.note } : {}),
  };
}

/** The targets for this 2-core machine, as same-run figures. */
export function checkTargets(f: BenchFigures, d: DerivedFigures): TargetCheck[] {
  const c = f.concurrency;
  const cNote = c === 32 ? undefined : `measured at concurrency ${c}, target is for 32`;
  const server = f.throughput.predict.server;
  return [
    check("/predict throughput ≥ 15% of the hello route", d.predictThroughputVsHello, {
      unit: "ratio",
      limit: 0.15,
      atLeast: true,
    }),
    check("/predict server p50 ≤ 1 ms at concurrency 32 (saturated)", server?.p50, {
      unit: "ms",
      limit: 1,
      note: cNote,
    }),
    check("/predict server p99 ≤ 10 ms at concurrency 32 (saturated)", server?.p99, {
      unit: "ms",
      limit: 10,
      note: cNote,
    }),
    ...(f.paced
      ? [
        check(
          `/predict server p50 ≤ 1 ms at concurrency ${c}, paced to ${
            fmt(f.paced.requestsPerS)
          } req/s`,
          f.paced.server?.p50,
          { unit: "ms", limit: 1 },
        ),
        check(
          `/predict server p99 ≤ 10 ms at concurrency ${c}, paced to ${
            fmt(f.paced.requestsPerS)
          } req/s`,
          f.paced.server?.p99,
          { unit: "ms", limit: 10 },
        ),
      ]
      : []),
    check(
      "/predict_batch of 200 rows ≤ 25 µs per row end to end (client p50)",
      d.batchUsPerRowClientP50,
      {
        unit: "µs/row",
        limit: 25,
        note: f.batchSize === 200 ? undefined : `measured with ${f.batchSize}-row batches`,
      },
    ),
    check("cold start (spawn → /health/ready 200) ≤ 1.5 s", f.coldStartMs, {
      unit: "ms",
      limit: 1500,
      note: f.coldStartMs === undefined ? "not measured: --base-url given" : undefined,
    }),
  ];
}

/** Formats a number for a table: 3 significant digits, thousands as is; "–" when missing. */
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
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, j) => (c ?? "").padEnd(widths[j])).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)]
    .join("\n");
}

/** The sequential-latency table. */
export function sequentialTable(f: BenchFigures): string {
  const hello = f.hello.sequential.client?.p50;
  const row = (name: string, r: SequentialResult) => [
    name,
    String(r.rowsPerRequest),
    String(r.requests),
    fmt(r.client?.min),
    fmt(r.client?.mean),
    fmt(r.client?.p50),
    fmt(r.client?.p95),
    fmt(r.client?.p99),
    fmt(r.client?.max),
    fmt(r.server?.p50),
    fmt(r.server?.p99),
    fmt(r.client ? (r.client.p50 * 1000) / r.rowsPerRequest : null),
    fmt(ratio(r.client?.p50, hello)),
    String(r.errors),
  ];
  return markdownTable(
    [
      "sequential",
      "rows",
      "n",
      "min ms",
      "mean ms",
      "p50 ms",
      "p95 ms",
      "p99 ms",
      "max ms",
      "server p50 ms",
      "server p99 ms",
      "p50 µs/row",
      "p50 × hello",
      "errors",
    ],
    [
      row("hello (bare Deno.serve)", f.hello.sequential),
      row("POST /predict", f.sequential.predict),
      row("POST /predict?explain=1", f.sequential.predictExplain),
      row("POST /predict_batch", f.sequential.batch),
      row("POST /predict_batch?explain=1", f.sequential.batchExplain),
    ],
  );
}

/** The throughput table. */
export function throughputTable(f: BenchFigures): string {
  const hello = f.hello.throughput;
  const row = (name: string, t: ThroughputResult, base = hello) => [
    name,
    String(t.concurrency),
    fmt(t.requestsPerS),
    fmt(t.rowsPerS),
    fmt(t.rowsPerS > 0 ? 1e6 / t.rowsPerS : null),
    fmt(t.latencyMs.p50),
    fmt(t.latencyMs.p99),
    fmt(t.server?.p50),
    fmt(t.server?.p99),
    fmt(t.internals?.cpuUsPerRequest),
    fmt(ratio(t.requestsPerS, base.requestsPerS)),
    fmt(ratio(t.internals?.cpuUsPerRequest, base.internals?.cpuUsPerRequest)),
    String(t.statusErrors + t.socketErrors),
  ];
  const ladder = f.ladder
    ? [
      row("hello GET (bare Deno.serve)", f.ladder.helloGet, f.ladder.helloGet),
      row("GET /health/live (Hono + middleware)", f.ladder.live, f.ladder.helloGet),
    ]
    : [];
  return markdownTable(
    [
      `throughput (${f.throughput.predict.generator})`,
      "c",
      "req/s",
      "rows/s",
      "µs/row",
      "client p50 ms",
      "client p99 ms",
      "server p50 ms",
      "server p99 ms",
      "CPU µs/req",
      "req/s × hello",
      "CPU × hello",
      "errors",
    ],
    [
      row("hello POST (bare Deno.serve)", f.hello.throughput),
      row("POST /predict", f.throughput.predict),
      row(`POST /predict_batch (${f.batchSize} rows)`, f.throughput.batch),
      ...(f.paced ? [row("POST /predict, paced", f.paced)] : []),
      ...ladder,
    ],
  );
}

/** The targets table. */
export function targetsTable(checks: readonly TargetCheck[]): string {
  return markdownTable(
    ["target", "measured", "limit", "met"],
    checks.map((c) => [
      c.target + (c.note ? ` (${c.note})` : ""),
      `${fmt(c.value)} ${c.unit}`,
      `${c.limit} ${c.unit}`,
      c.met === null ? "–" : c.met ? "yes" : "NO",
    ]),
  );
}

/** What the service's metrics said during the throughput runs. */
export function internalsTable(f: BenchFigures): string {
  const row = (name: string, t: ThroughputResult) => {
    const i = t.internals;
    return [
      name,
      fmt(i?.cpuUsPerRequest),
      fmt(i?.cpuUsPerRequest == null ? null : i.cpuUsPerRequest / t.rowsPerRequest),
      fmt(i?.cpuPercent),
      fmt(i?.commitRows?.mean),
      fmt(i?.commitMs?.p50),
      fmt(i?.commitMs?.p99),
      fmt(i?.onnxRows?.mean),
      fmt(i?.onnxMs?.p50),
      fmt(i?.onnxMs?.p99),
    ];
  };
  return markdownTable(
    [
      "server internals",
      "CPU µs/req",
      "CPU µs/row",
      "CPU %",
      "rows/commit",
      "commit p50 ms",
      "commit p99 ms",
      "rows/ONNX run",
      "ONNX p50 ms",
      "ONNX p99 ms",
    ],
    [
      row("POST /predict", f.throughput.predict),
      row(`POST /predict_batch (${f.batchSize} rows)`, f.throughput.batch),
    ],
  );
}
