import assert from "node:assert/strict";
import { allRows } from "../api/testing/temp_store.ts";
import { readCsvFile, tableToFeatures } from "../api/scoring/feature_csv.ts";
import { createTestApp } from "../api/testing/test_app.ts";
import { brierScore, confusionAt, costOf, rocAuc } from "./classification_metrics.ts";
import { computePerformance } from "./run_performance.ts";

const table = await readCsvFile("data/credit_data/test.csv");

Deno.test("with every test.csv outcome fed back, realised metrics equal a direct computation", async () => {
  let clock = new Date("2026-01-01T00:00:00.000Z");
  await using t = await createTestApp({
    artifactsDir: "artifacts",
    config: { maxBatchRows: 1000 },
    now: () => clock,
  });
  const meta = t.model.meta;
  const rows = tableToFeatures(table, meta.features);
  const labels = table.records.map((r) => r.Status === meta.target!.positive_label ? 1 : 0);
  const res = await t.post("/predict_batch", { rows }, { "x-request-id": "test" });
  assert.equal(res.status, 200);
  const { items } = await res.json();
  clock = new Date("2026-06-01T00:00:00.000Z"); // outcomes are reported once observed
  for (const [i, item] of items.entries()) {
    const fed = await t.post("/feedback", {
      request_id: item.request_id,
      outcome: labels[i] === 1 ? "default" : "repaid",
      observed_at: "2026-06-01T00:00:00Z",
    });
    assert.equal(fed.status, 201);
  }

  const report = await computePerformance(t.store, meta);
  const scores = Float64Array.from(items, (item: { proba_default: number }) => item.proba_default);
  const direct = { scores, labels: Uint8Array.from(labels) };
  assert.equal(report.n_labelled, table.records.length);
  assert.ok(report.realised);
  assert.equal(report.realised.roc_auc, rocAuc(direct));
  assert.ok(Math.abs(report.realised.brier - brierScore(direct)) < 1e-12);
  assert.equal(report.realised.cost, costOf(confusionAt(direct, meta.threshold), meta.cost_matrix));
  // The training task measured the same test set with the in-memory trees (float64):
  assert.ok(Math.abs(report.realised.roc_auc! - meta.metrics.test!.roc_auc) < 1e-4);
  assert.ok(Math.abs(report.realised.brier - meta.metrics.test!.brier) < 1e-6);
  assert.ok(report.comparison && Math.abs(report.comparison.roc_auc_drop!) < 1e-4);
  assert.deepEqual(report.alerts, [], "the model performs as trained: no alert");
});

Deno.test("without outcomes, only CBPE estimates are given", async () => {
  await using t = await createTestApp({
    artifactsDir: "artifacts",
    config: { maxBatchRows: 1000 },
  });
  const rows = tableToFeatures(table, t.model.meta.features).slice(0, 100);
  await t.post("/predict_batch", { rows });
  const report = await computePerformance(t.store, t.model.meta);
  assert.equal(report.n_predictions, 100);
  assert.equal(report.realised, null);
  assert.ok(report.estimated);
  const logged = (await allRows(t.store)).map((r) => r.proba_default);
  const mean = logged.reduce((a, b) => a + b, 0) / logged.length;
  assert.ok(Math.abs(report.estimated.expected_default_rate - mean) < 1e-12);
});

Deno.test("outcomes of predictions older than the recent sample still count for realised metrics", async () => {
  let clock = new Date("2026-01-01T00:00:00.000Z");
  await using t = await createTestApp({ artifactsDir: "artifacts", now: () => clock });
  const rows = tableToFeatures(table, t.model.meta.features).slice(0, 40);
  const old = await (await t.post("/predict_batch", { rows }, { "x-request-id": "old" })).json();
  clock = new Date("2026-02-01T00:00:00.000Z");
  await t.post("/predict_batch", { rows: rows.slice(0, 10) }, { "x-request-id": "new" });
  clock = new Date("2026-03-01T00:00:00.000Z"); // outcomes are reported once observed
  for (const item of old.items) {
    await t.post("/feedback", {
      request_id: item.request_id,
      outcome: "repaid",
      observed_at: "2026-03-01T00:00:00Z",
    });
  }
  // The 10 most recent predictions have no outcome; the 40 older ones all do.
  const report = await computePerformance(t.store, t.model.meta, { limit: 10 });
  assert.equal(report.n_predictions, 10);
  assert.equal(report.label_coverage, 0);
  assert.equal(report.n_labelled, 10, "the 10 most recent labelled predictions");
  assert.equal(report.realised?.default_rate, 0);
  const wide = await computePerformance(t.store, t.model.meta, { limit: 100 });
  assert.equal(wide.n_labelled, 40);
  assert.equal(wide.n_predictions, 50);
  assert.equal(wide.label_coverage, 40 / 50);
});
