/**
 * The before/after matrix of `deno task bench:matrix`: service variants (the
 * settings that switch the optimisations off one by one), the order they run
 * in each round, and the summary over rounds.
 *
 * @module
 */
import { median } from "./latency_summary.ts";
import type { ThroughputResult } from "./measure.ts";
import { fmt, markdownTable } from "./report.ts";
import type { SequentialResult } from "./sequential.ts";

/** A service configuration to measure. */
export interface Variant {
  id: string;
  name: string;
  env: Readonly<Record<string, string>>;
}

/** The variants, from the straightforward path to the defaults (and one reference). */
export const VARIANTS: readonly Variant[] = [
  {
    id: "a",
    name: "straightforward: commit per request, inline; one ONNX run per request",
    env: { LOG_WRITER: "inline", LOG_MAX_ROWS: "1", SCORE_COALESCE: "0" },
  },
  {
    id: "b",
    name: "+ group commit (inline, on the request thread)",
    env: { LOG_WRITER: "inline", SCORE_COALESCE: "0" },
  },
  { id: "c", name: "+ coalesced ONNX runs (= defaults)", env: {} },
  { id: "d", name: "defaults with commits on a writer thread", env: { LOG_WRITER: "worker" } },
  {
    id: "e",
    name: "defaults with DB_SYNCHRONOUS=NORMAL (reference: not durable on power loss)",
    env: { DB_SYNCHRONOUS: "NORMAL" },
  },
];

/** Picks variants by id (`"a,c,d"`), in the given order; throws on an unknown id. */
export function selectVariants(ids: string | undefined): Variant[] {
  if (!ids) return [...VARIANTS];
  return ids.split(",").map((id) => {
    const v = VARIANTS.find((x) => x.id === id.trim());
    if (!v) {
      throw new Error(`unknown variant ${id} (known: ${VARIANTS.map((x) => x.id).join(", ")})`);
    }
    return v;
  });
}

/** Round `r`'s order: the list rotated by `r`, so no variant always runs first or last. */
export function roundOrder<T>(items: readonly T[], r: number): T[] {
  const k = items.length === 0 ? 0 : r % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** One variant measured in one round, next to the hello run just before it. */
export interface VariantRound {
  round: number;
  coldStartMs: number;
  readyLogMs: number;
  hello: ThroughputResult;
  predict: ThroughputResult;
  sequential: SequentialResult;
}

/** A variant's medians over the rounds. */
export interface VariantSummary {
  id: string;
  name: string;
  env: Readonly<Record<string, string>>;
  rounds: number;
  requestsPerS: number;
  /** Median over rounds of (variant req/s ÷ the adjacent hello req/s). */
  vsHello: number;
  helloRequestsPerS: number;
  serverP50Ms: number;
  serverP99Ms: number;
  clientP50Ms: number;
  clientP99Ms: number;
  cpuUsPerRequest: number;
  /** Median over rounds of (variant CPU per request ÷ the adjacent hello run's). */
  cpuVsHello: number;
  rowsPerCommit: number;
  rowsPerOnnxRun: number;
  commitP50Ms: number;
  sequentialP50Ms: number;
  sequentialServerP50Ms: number;
  coldStartMs: number;
  errors: number;
}

/** Summarises a variant's rounds (medians; errors are totals). */
export function summariseVariant(v: Variant, rounds: readonly VariantRound[]): VariantSummary {
  const med = (pick: (r: VariantRound) => number | null | undefined) =>
    median(rounds.map(pick).filter((x): x is number => typeof x === "number"));
  return {
    id: v.id,
    name: v.name,
    env: v.env,
    rounds: rounds.length,
    requestsPerS: med((r) => r.predict.requestsPerS),
    vsHello: med((r) =>
      r.hello.requestsPerS > 0 ? r.predict.requestsPerS / r.hello.requestsPerS : null
    ),
    helloRequestsPerS: med((r) => r.hello.requestsPerS),
    serverP50Ms: med((r) => r.predict.server?.p50),
    serverP99Ms: med((r) => r.predict.server?.p99),
    clientP50Ms: med((r) => r.predict.latencyMs.p50),
    clientP99Ms: med((r) => r.predict.latencyMs.p99),
    cpuUsPerRequest: med((r) => r.predict.internals?.cpuUsPerRequest),
    cpuVsHello: med((r) => {
      const a = r.predict.internals?.cpuUsPerRequest;
      const b = r.hello.internals?.cpuUsPerRequest;
      return a != null && b != null && b > 0 ? a / b : null;
    }),
    rowsPerCommit: med((r) => r.predict.internals?.commitRows?.mean),
    rowsPerOnnxRun: med((r) => r.predict.internals?.onnxRows?.mean),
    commitP50Ms: med((r) => r.predict.internals?.commitMs?.p50),
    sequentialP50Ms: med((r) => r.sequential.client?.p50),
    sequentialServerP50Ms: med((r) => r.sequential.server?.p50),
    coldStartMs: med((r) => r.coldStartMs),
    errors: rounds.reduce(
      (s, r) => s + r.predict.statusErrors + r.predict.socketErrors + r.sequential.errors,
      0,
    ),
  };
}

/** The markdown table of the matrix (one row per variant). */
export function matrixTable(rows: readonly VariantSummary[], concurrency: number): string {
  return markdownTable(
    [
      "variant",
      "settings",
      `req/s (c=${concurrency})`,
      "× hello",
      "server p50 ms",
      "server p99 ms",
      "client p99 ms",
      "CPU µs/req",
      "CPU × hello",
      "rows/commit",
      "commit p50 ms",
      "rows/ONNX run",
      "seq. p50 ms",
      "cold start ms",
      "errors",
    ],
    rows.map((r) => [
      `(${r.id}) ${r.name}`,
      Object.entries(r.env).map(([k, v]) => `${k}=${v}`).join(" ") || "defaults",
      fmt(r.requestsPerS),
      fmt(r.vsHello),
      fmt(r.serverP50Ms),
      fmt(r.serverP99Ms),
      fmt(r.clientP99Ms),
      fmt(r.cpuUsPerRequest),
      fmt(r.cpuVsHello),
      fmt(r.rowsPerCommit),
      fmt(r.commitP50Ms),
      fmt(r.rowsPerOnnxRun),
      fmt(r.sequentialP50Ms),
      fmt(r.coldStartMs),
      String(r.errors),
    ]),
  );
}
