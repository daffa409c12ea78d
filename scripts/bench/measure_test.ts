import { strict as assert } from "node:assert";
import client from "prom-client";
import {
  HTTP_HISTOGRAM,
  medianThroughput,
  serverInternalsBetween,
  serverLatencyBetween,
  type ThroughputResult,
} from "./measure.ts";

function fakeService() {
  const registry = new client.Registry();
  const registers = [registry];
  const http = new client.Histogram({
    name: HTTP_HISTOGRAM,
    help: "t",
    labelNames: ["route", "status"] as const,
    buckets: [0.001, 0.01],
    registers,
  });
  const commit = new client.Histogram({
    name: "audit_log_commit_rows",
    help: "t",
    buckets: [1, 8, 64],
    registers,
  });
  const cpu = new client.Gauge({ name: "process_cpu_seconds_total", help: "t", registers });
  return { registry, http, commit, cpu };
}

Deno.test("serverLatencyBetween sees only the run's 200 answers of the route, in ms", async () => {
  const s = fakeService();
  s.http.observe({ route: "POST /predict", status: "200" }, 0.05); // before the run
  const before = await s.registry.metrics();
  for (let i = 0; i < 4; i++) s.http.observe({ route: "POST /predict", status: "200" }, 0.0005);
  s.http.observe({ route: "POST /predict", status: "503" }, 0.0005);
  s.http.observe({ route: "GET /health", status: "200" }, 0.0005);
  const after = await s.registry.metrics();
  const lat = serverLatencyBetween(before, after, "POST /predict")!;
  assert.equal(lat.count, 4);
  assert.ok(Math.abs(lat.mean - 0.5) < 1e-9);
  // all four in the first bucket (0, 1 ms]: p50 at rank 2 of 4 → 0.5 ms
  assert.ok(Math.abs(lat.p50! - 0.5) < 1e-9);
  assert.equal(serverLatencyBetween(before, after, "POST /other"), null);
  assert.equal(serverLatencyBetween(after, after, "POST /predict"), null);
});

Deno.test("serverInternalsBetween: CPU per request and rows per commit over the run", async () => {
  const s = fakeService();
  s.cpu.set(10);
  s.commit.observe(1);
  const before = await s.registry.metrics();
  s.cpu.set(10.5);
  s.commit.observe(30);
  s.commit.observe(50);
  const after = await s.registry.metrics();
  const i = serverInternalsBetween(before, after, { requests: 1000, durationS: 2 });
  assert.ok(Math.abs(i.cpuUsPerRequest! - 500) < 1e-6);
  assert.ok(Math.abs(i.cpuPercent! - 25) < 1e-9);
  assert.equal(i.commitRows!.count, 2);
  assert.equal(i.commitRows!.mean, 40);
  assert.equal(i.onnxMs, null);
});

const run = (rps: number, p50: number, errors: number): ThroughputResult => ({
  generator: "wrk",
  concurrency: 32,
  durationS: 10,
  requests: rps * 10,
  requestsPerS: rps,
  statusErrors: errors,
  socketErrors: 0,
  latencyMs: { min: 0, mean: p50, p50, p95: p50, p99: p50, max: p50 },
  rowsPerRequest: 1,
  rowsPerS: rps,
  server: null,
  internals: null,
});

Deno.test("medianThroughput: per-figure medians, error totals", () => {
  const m = medianThroughput([run(100, 3, 1), run(300, 1, 0), run(200, 2, 2)]);
  assert.equal(m.requestsPerS, 200);
  assert.equal(m.latencyMs.p50, 2);
  assert.equal(m.statusErrors, 3);
  assert.equal(m.server, null);
  const one = run(5, 5, 0);
  assert.equal(medianThroughput([one]), one);
  assert.throws(() => medianThroughput([]), RangeError);
});
