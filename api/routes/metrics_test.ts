import assert from "node:assert/strict";
import { createMetrics } from "../metrics/registry.ts";
import { createTestApp, creditTestRows } from "../testing/test_app.ts";

const [row] = await creditTestRows(1);

/** The value of one sample line, e.g. `name{a="b"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("GET /metrics counts requests by route and status, and scored predictions", async () => {
  await using t = await createTestApp();
  await t.post("/predict", { features: row });
  await t.post("/predict", { features: row });
  await t.post("/predict", { features: { ...row, Home: "castle" } });
  const res = await t.app.request("/metrics");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/plain/);
  const text = await res.text();
  assert.equal(sample(text, 'http_requests_total{route="POST /predict",status="200"}'), 2);
  assert.equal(sample(text, 'http_requests_total{route="POST /predict",status="422"}'), 1);
  assert.equal(
    sample(text, 'http_request_duration_seconds_count{route="POST /predict",status="200"}'),
    2,
  );
  const labels = `model="fixture",version="${t.model.meta.model_version}"`;
  assert.equal(sample(text, `model_infer_request_success_total{${labels}}`), 2);
  const decided = ["approve", "reject"]
    .map((d) => sample(text, `predictions_total{${labels},decision="${d}"}`) ?? 0);
  assert.equal(decided[0] + decided[1], 2);
  assert.ok(sample(text, "process_resident_memory_bytes")! > 0);
});

Deno.test("audit-log and inference hooks feed their histograms", async () => {
  const metrics = createMetrics({ model: { type: "m", version: "v" }, queueDepth: () => 3 });
  metrics.inference.onBatch!(8, 0.4);
  metrics.auditLog.onCommit!(8, 1.5);
  metrics.auditLog.onFailure!(2, new Error("disk full"));
  const text = await metrics.render();
  assert.equal(sample(text, 'model_inference_batch_rows_sum{model="m",version="v"}'), 8);
  assert.equal(sample(text, 'model_inference_duration_seconds_count{model="m",version="v"}'), 1);
  assert.equal(sample(text, "audit_log_commit_rows_sum"), 8);
  assert.equal(sample(text, "audit_log_commit_duration_seconds_sum"), 0.0015);
  assert.equal(sample(text, "audit_log_commit_failures_total"), 1);
  assert.equal(sample(text, "audit_log_queue_depth"), 3);
});

Deno.test("performance gauges appear once outcomes exist, and not before", async () => {
  let gauges: { realisedRocAuc: number | null; labelled: number } | null = null;
  const metrics = createMetrics({
    model: { type: "m", version: "v" },
    performance: () =>
      Promise.resolve(
        gauges && {
          ...gauges,
          expectedDefaultRate: 0.3,
          realisedDefaultRate: 0.25,
          aucAlert: false,
        },
      ),
  });
  assert.equal(
    sample(await metrics.render(), 'model_realised_roc_auc{model="m",version="v"}'),
    undefined,
  );
  gauges = { realisedRocAuc: 0.81, labelled: 250 };
  const text = await metrics.render();
  assert.equal(sample(text, 'model_realised_roc_auc{model="m",version="v"}'), 0.81);
  assert.equal(sample(text, 'model_labelled_predictions{model="m",version="v"}'), 250);
  assert.equal(sample(text, 'model_auc_drop_alert{model="m",version="v"}'), 0);
});
