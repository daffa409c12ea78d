import { strict as assert } from "node:assert";
import type { ThroughputResult } from "./measure.ts";
import { type BenchFigures, checkTargets, deriveFigures, fmt, markdownTable } from "./report.ts";
import type { SequentialResult } from "./sequential.ts";

const seq = (p50: number, mean: number, rows = 1, server?: number): SequentialResult => ({
  requests: 10,
  errors: 0,
  rowsPerRequest: rows,
  client: { n: 10, min: p50, mean, p50, p95: p50, p99: p50, max: p50 },
  server: server === undefined
    ? null
    : { n: 10, min: server, mean: server, p50: server, p95: server, p99: server, max: server },
});

const thr = (rps: number, rows = 1, server?: { p50: number; p99: number }): ThroughputResult => ({
  generator: "wrk",
  concurrency: 32,
  durationS: 10,
  requests: rps * 10,
  requestsPerS: rps,
  statusErrors: 0,
  socketErrors: 0,
  latencyMs: { min: 1, mean: 1, p50: 1, p95: 1, p99: 1, max: 1 },
  rowsPerRequest: rows,
  rowsPerS: rps * rows,
  server: server ? { count: 1, mean: server.p50, p95: server.p99, ...server } : null,
});

function figures(over: Partial<BenchFigures> = {}): BenchFigures {
  return {
    batchSize: 200,
    concurrency: 32,
    hello: { sequential: seq(0.2, 0.25), throughput: thr(20_000) },
    sequential: {
      predict: seq(1, 1.2, 1, 0.8),
      predictExplain: seq(1.5, 1.7),
      batch: seq(4, 4.5, 200, 3),
      batchExplain: seq(30, 34.5, 200),
    },
    throughput: { predict: thr(4000, 1, { p50: 0.8, p99: 12 }), batch: thr(100, 200) },
    coldStartMs: 900,
    ...over,
  };
}

Deno.test("deriveFigures: ratios to hello, cost per row, cost of an explanation", () => {
  const d = deriveFigures(figures());
  assert.equal(d.predictP50VsHello, 5); // 1 ms / 0.2 ms
  assert.equal(d.predictThroughputVsHello, 0.2); // 4000 / 20000
  assert.equal(d.batchRowsVsHelloRequests, 1); // 100 · 200 / 20000
  assert.equal(d.batchUsPerRowClientP50, 20); // 4 ms / 200 rows
  assert.equal(d.batchUsPerRowServerP50, 15); // 3 ms / 200 rows
  assert.equal(d.predictUsPerRowAtLoad, 250); // 1 s / 4000
  assert.ok(Math.abs(d.explainExtraMsSingle! - 0.5) < 1e-12); // p50s 1.5 − 1
  assert.ok(Math.abs(d.explainExtraUsPerRowBatch! - 130) < 1e-9); // (30 − 4) ms / 200 rows
});

Deno.test("deriveFigures: missing inputs give null, not NaN", () => {
  const f = figures();
  f.sequential.batch = { ...f.sequential.batch, client: null, server: null };
  f.hello.throughput = thr(0);
  const d = deriveFigures(f);
  assert.equal(d.batchUsPerRowClientP50, null);
  assert.equal(d.predictThroughputVsHello, null);
  assert.equal(d.explainExtraUsPerRowBatch, null);
});

Deno.test("checkTargets: met, missed, unmeasured, and notes on other conditions", () => {
  const f = figures();
  const checks = checkTargets(f, deriveFigures(f));
  assert.deepEqual(checks.map((c) => c.met), [true, true, false, true, true]);
  const paced = figures({ paced: thr(1000, 1, { p50: 0.7, p99: 3 }) });
  const c3 = checkTargets(paced, deriveFigures(paced));
  assert.equal(c3.length, 7);
  assert.deepEqual(c3.slice(3, 5).map((c) => c.met), [true, true]);
  assert.match(c3[3].target, /paced to 1000 req\/s/);
  const other = figures({ concurrency: 8, batchSize: 100, coldStartMs: undefined });
  other.throughput.predict = thr(1000); // no server histogram, 5 % of hello
  const c2 = checkTargets(other, deriveFigures(other));
  assert.deepEqual(c2.map((c) => c.met), [false, null, null, false, null]); // 4 ms / 100 rows = 40 µs
  assert.match(c2[1].note!, /concurrency 8/);
  assert.match(c2[3].note!, /100-row/);
});

Deno.test("fmt and markdownTable", () => {
  assert.equal(fmt(0.123456), "0.123");
  assert.equal(fmt(12345.6), "12346");
  assert.equal(fmt(null), "–");
  assert.equal(fmt(NaN), "–");
  assert.equal(
    markdownTable(["a", "bb"], [["ccc", "d"]]),
    "| a   | bb |\n| --- | -- |\n| ccc | d  |",
  );
});
