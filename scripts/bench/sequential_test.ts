import { strict as assert } from "node:assert";
import { reportedLatencyMs } from "./sequential.ts";

Deno.test("reportedLatencyMs reads /predict and /predict_batch answers", () => {
  assert.equal(reportedLatencyMs({ proba_default: 0.2, latency_ms: 0.731 }), 0.731);
  assert.equal(
    reportedLatencyMs({ n_rows: 2, items: [{ latency_ms: 3.5 }, { latency_ms: 3.5 }] }),
    3.5,
  );
});

Deno.test("reportedLatencyMs: null for answers without a numeric latency", () => {
  assert.equal(reportedLatencyMs({ hello: "world" }), null);
  assert.equal(reportedLatencyMs({ latency_ms: "1" }), null);
  assert.equal(reportedLatencyMs({ items: [] }), null);
  assert.equal(reportedLatencyMs(null), null);
  assert.equal(reportedLatencyMs("x"), null);
});
