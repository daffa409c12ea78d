import { strict as assert } from "node:assert";
import fc from "fast-check";
import client from "prom-client";
import {
  histogramQuantile,
  type HistogramSnapshot,
  parseHistogram,
  parseSampleSum,
  subtractHistogram,
} from "./prom_histogram.ts";

const BOUNDS = [0.001, 0.005, 0.1];

function registryWith(observations: Array<[string, string, number]>) {
  const registry = new client.Registry();
  const h = new client.Histogram({
    name: "req_seconds",
    help: "test",
    labelNames: ["route", "status"] as const,
    buckets: BOUNDS,
    registers: [registry],
  });
  for (const [route, status, v] of observations) h.observe({ route, status }, v);
  return { registry, h };
}

Deno.test("parseHistogram reads prom-client's exposition of one series", async () => {
  const { registry } = registryWith([
    ["POST /predict", "200", 0.0005],
    ["POST /predict", "200", 0.003],
    ["POST /predict", "200", 0.003],
    ["POST /predict", "200", 0.2],
    ["GET /health", "200", 0.0001],
  ]);
  const h = parseHistogram(await registry.metrics(), "req_seconds", {
    route: "POST /predict",
    status: "200",
  })!;
  // ≤ 1 ms: 1; ≤ 5 ms: 3; ≤ 100 ms: 3; all: 4
  assert.deepEqual(h.buckets, [
    { le: 0.001, count: 1 },
    { le: 0.005, count: 3 },
    { le: 0.1, count: 3 },
    { le: Infinity, count: 4 },
  ]);
  assert.equal(h.count, 4);
  assert.ok(Math.abs(h.sum - 0.2065) < 1e-12);
});

Deno.test("parseHistogram adds up the series matching a subset of labels", async () => {
  const { registry } = registryWith([
    ["POST /predict", "200", 0.0005],
    ["POST /predict", "503", 0.0005],
    ["POST /predict_batch", "200", 0.0005],
  ]);
  const h = parseHistogram(await registry.metrics(), "req_seconds", { route: "POST /predict" })!;
  assert.equal(h.count, 2);
  assert.equal(h.buckets[0].count, 2);
});

Deno.test("parseHistogram unescapes label values and answers null without a match", async () => {
  const route = 'GET /a"b\\c';
  const { registry } = registryWith([[route, "200", 0.002]]);
  const text = await registry.metrics();
  assert.equal(parseHistogram(text, "req_seconds", { route })?.count, 1);
  assert.equal(parseHistogram(text, "req_seconds", { route: "GET /other" }), null);
  assert.equal(parseHistogram(text, "other_seconds"), null);
});

Deno.test("subtractHistogram keeps only the observations between two scrapes", async () => {
  const { registry, h } = registryWith([["r", "200", 0.0005], ["r", "200", 0.05]]);
  const before = parseHistogram(await registry.metrics(), "req_seconds")!;
  h.observe({ route: "r", status: "200" }, 0.003);
  const after = parseHistogram(await registry.metrics(), "req_seconds")!;
  const delta = subtractHistogram(after, before);
  assert.equal(delta.count, 1);
  assert.deepEqual(delta.buckets.map((b) => b.count), [0, 1, 1, 1]);
  assert.ok(Math.abs(delta.sum - 0.003) < 1e-12);
  assert.deepEqual(subtractHistogram(after, null), after);
  assert.throws(() => subtractHistogram(before, after), /went down/);
});

const snapshot = (pairs: Array<[number, number]>): HistogramSnapshot => ({
  buckets: pairs.map(([le, count]) => ({ le, count })),
  sum: 0,
  count: pairs[pairs.length - 1][1],
});

Deno.test("histogramQuantile interpolates inside the bucket holding the rank", () => {
  const h = snapshot([[1, 10], [2, 30], [Infinity, 30]]);
  // rank 15 falls in (1, 2]: 5 of its 20 observations → 1 + 1 · 5/20
  assert.equal(histogramQuantile(0.5, h), 1.25);
  // rank 5 in the first bucket, whose lower bound is 0
  assert.equal(histogramQuantile(5 / 30, h), 0.5);
  assert.equal(histogramQuantile(1, h), 2);
  assert.equal(histogramQuantile(0, h), 0);
});

Deno.test("histogramQuantile: a rank in +Inf answers the highest finite bound; empty is null", () => {
  assert.equal(histogramQuantile(0.9, snapshot([[1, 10], [2, 30], [Infinity, 40]])), 2);
  assert.equal(histogramQuantile(0.5, snapshot([[1, 0], [Infinity, 0]])), null);
  assert.throws(() => histogramQuantile(2, snapshot([[1, 1], [Infinity, 1]])), RangeError);
});

Deno.test("histogramQuantile lands in the bucket of the true (nearest-rank) quantile", () => {
  const bounds = [0.5, 1, 2, 4, Infinity];
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.01, max: 6, noNaN: true }), { minLength: 1, maxLength: 300 }),
      fc.double({ min: 0.001, max: 1, noNaN: true }),
      (xs, q) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const truth = sorted[Math.ceil(q * xs.length) - 1];
        const h = snapshot(bounds.map((le) => [le, xs.filter((x) => x <= le).length]));
        const est = histogramQuantile(q, h)!;
        const k = bounds.findIndex((le) => truth <= le);
        if (bounds[k] === Infinity) assert.equal(est, 4);
        else assert.ok(est >= (k === 0 ? 0 : bounds[k - 1]) && est <= bounds[k]);
      },
    ),
  );
});

Deno.test("histogramQuantile is non-decreasing in q", () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat(50), { minLength: 4, maxLength: 4 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (perBucket, a, b) => {
        let cum = 0;
        const h = snapshot([1, 2, 4, Infinity].map((le, i) => [le, cum += perBucket[i]]));
        if (cum === 0) return;
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        assert.ok(histogramQuantile(lo, h)! <= histogramQuantile(hi, h)!);
      },
    ),
  );
});

Deno.test("parseSampleSum adds the matching samples of a counter or gauge", async () => {
  const registry = new client.Registry();
  const c = new client.Counter({
    name: "hits_total",
    help: "test",
    labelNames: ["route"] as const,
    registers: [registry],
  });
  c.inc({ route: "a" }, 2);
  c.inc({ route: "b" }, 3);
  const text = await registry.metrics();
  assert.equal(parseSampleSum(text, "hits_total"), 5);
  assert.equal(parseSampleSum(text, "hits_total", { route: "b" }), 3);
  assert.equal(parseSampleSum(text, "hits_total", { route: "c" }), null);
  assert.equal(parseSampleSum(text, "hits"), null);
});
