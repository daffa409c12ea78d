import assert from "node:assert/strict";
import { bucketQuantile, histogramDelta, sampleSum } from "./prom.ts";

const scrape = (fast: number, slow: number, cpu: number) =>
  [
    "# HELP process_cpu_seconds_total User + system CPU time of the process.",
    `process_cpu_seconds_total ${cpu}`,
    `h_bucket{route="POST /predict",status="200",le="0.001"} ${fast}`,
    `h_bucket{route="POST /predict",status="200",le="0.002"} ${fast + slow}`,
    `h_bucket{route="POST /predict",status="200",le="+Inf"} ${fast + slow}`,
    `h_bucket{route="POST /predict",status="422",le="0.001"} 100`,
    `h_bucket{route="POST /predict",status="422",le="0.002"} 100`,
    `h_bucket{route="POST /predict",status="422",le="+Inf"} 100`,
    `h_count{route="POST /predict",status="200"} ${fast + slow}`,
  ].join("\n");

Deno.test("sampleSum reads a counter, null when absent", () => {
  assert.equal(sampleSum(scrape(0, 0, 1.5), "process_cpu_seconds_total"), 1.5);
  assert.equal(sampleSum(scrape(0, 0, 1.5), "nothing"), null);
});

Deno.test("histogramDelta: quantiles of what one series gained between two scrapes", () => {
  // Gained: 50 observations ≤ 1 ms, 50 in (1, 2] ms; the 422 series is left out.
  const d = histogramDelta(scrape(10, 0, 0), scrape(60, 50, 0), "h", {
    labels: { route: "POST /predict", status: "200" },
    scale: 1000,
  });
  assert.equal(d?.count, 100);
  assert.equal(d?.p50, 1); // rank 50: the top of the first bucket
  assert.ok(Math.abs(d!.p99! - 1.98) < 1e-9); // rank 99: 49/50 of the way through (1, 2]
  assert.equal(histogramDelta(scrape(1, 1, 0), scrape(1, 1, 0), "h"), null, "nothing gained");
});

Deno.test("bucketQuantile follows PromQL: 0 below the first bound, +Inf answers the top bound", () => {
  assert.equal(bucketQuantile(0.5, [[1, 4], [Infinity, 4]]), 0.5);
  assert.equal(bucketQuantile(0.99, [[1, 1], [2, 1], [Infinity, 10]]), 2);
  assert.equal(bucketQuantile(0.5, [[1, 0], [Infinity, 0]]), null);
});
