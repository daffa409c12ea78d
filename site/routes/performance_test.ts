import assert from "node:assert/strict";
import { rocAuc } from "../../monitoring/classification_metrics.ts";
import type { PerformanceReport } from "../../monitoring/performance.ts";
import type { PredictionRecord } from "../../api/store/mod.ts";
import type { ReliabilityChartProps } from "../islands/reliability_chart.tsx";
import { formatShare } from "../shared/format.ts";
import { getPage, islandProps } from "../testing/http.ts";
import { createSiteTestApp, scoredRecords, type SiteTestApp } from "../testing/site_test_kit.ts";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const N = 300;

/** Logs N predictions of the reference rows at NOW. */
async function logPredictions(t: SiteTestApp): Promise<PredictionRecord[]> {
  const rows = Array.from({ length: N }, (_, i) => t.rows[i % t.rows.length]);
  const records = await scoredRecords(t.model, rows, {
    ts: () => NOW.toISOString(),
    requestId: (i) => `perf-${i}`,
  });
  await t.store.append({ rows: records });
  return records;
}

/** Feeds the outcomes back through the API, as a lender would. */
async function feedBack(t: SiteTestApp, records: PredictionRecord[], labels: (0 | 1)[]) {
  for (let i = 0; i < labels.length; i++) {
    const res = await t.post("/feedback", {
      request_id: records[i].request_id,
      outcome: labels[i] === 1 ? "default" : "repaid",
      observed_at: NOW.toISOString(),
    });
    assert.equal(res.status, 201);
    await res.body?.cancel();
  }
}

const cell = (html: string, metric: string, column: "realised" | "estimated") =>
  html.match(
    new RegExp(`<tr\\s+data-metric="${metric}">.*?data-cell="${column}">([^<]*)<`, "s"),
  )?.[1];

Deno.test("without outcomes: estimates only, and how to feed outcomes", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const empty = await getPage(t.app, "/monitor/performance?window=1h");
  assert.equal(empty.status, 200);
  assert.match(empty.html, /data-testid="no-predictions"/);

  const records = await logPredictions(t);
  const { status, html } = await getPage(t.app, "/monitor/performance?window=1h");
  assert.equal(status, 200);
  assert.match(html, /aria-current="page"[^>]*>Performance</);
  const note = html.match(/<div class="note" data-testid="no-outcomes">.*?<\/div>/s)?.[0] ?? "";
  assert.match(note, /<code>POST \/feedback<\/code>/);
  assert.match(note, /deno task simulate --outcomes 0\.5/);
  assert.match(html, /data-testid="n-predictions">300</);
  assert.match(html, /data-testid="n-labelled">0</);
  const meanProba = records.reduce((s, r) => s + r.proba_default, 0) / N;
  assert.equal(cell(html, "default_rate", "estimated"), formatShare(meanProba));
  assert.equal(cell(html, "default_rate", "realised"), "–");
  assert.equal(cell(html, "roc_auc", "realised"), "–");
  assert.ok(!html.includes('data-island="reliability_chart"'));
});

Deno.test("with outcomes: realised metrics beside training and estimates, reliability bins", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const records = await logPredictions(t);
  const threshold = t.model.meta.threshold;
  // Mostly agrees with the decision; every 5th label flipped.
  const labels = records.slice(0, 250).map((r, i) =>
    ((r.proba_default >= threshold ? 1 : 0) ^ (i % 5 === 0 ? 1 : 0)) as 0 | 1
  );
  await feedBack(t, records, labels);
  const { html } = await getPage(t.app, "/monitor/performance?window=1h");
  assert.match(html, /data-testid="n-labelled">250</);
  assert.match(html, /data-testid="coverage">83\.3%</);
  assert.ok(!html.includes('data-testid="no-outcomes"'));

  const probas = records.slice(0, 250).map((r) => r.proba_default);
  const auc = rocAuc({ labels, scores: probas });
  assert.match(cell(html, "roc_auc", "realised")!, new RegExp(`^${auc.toFixed(3)} \\(95% CI `));
  const defaults = labels.filter((l) => l === 1).length;
  assert.equal(cell(html, "default_rate", "realised"), formatShare(defaults / 250));
  assert.match(html, /<tr\s+data-metric="roc_auc"><td>ROC AUC<\/td><td class="num">0\.700</);

  const bins = [
    ...html.matchAll(/<tr\s+data-bin="([^"]+)"><td>[^<]*<\/td><td class="num">(\d+)</g),
  ];
  assert.equal(bins.length, 10);
  bins.forEach(([, label, count], b) => {
    const inBin = probas.filter((p) => Math.min(Math.floor(p * 10), 9) === b).length;
    assert.equal(Number(count), inBin, label);
  });
  const chart = islandProps(html, "reliability_chart") as ReliabilityChartProps;
  assert.deepEqual(chart.spec.series.map((s) => s.label), [
    "Mean predicted",
    "Observed default rate",
  ]);
  assert.equal(chart.spec.labels[0], "0.0–0.1");

  assert.ok(auc > 0.7 - 0.05, "these labels keep the AUC within the alert rule");
  assert.ok(!html.includes('data-alert="auc-drop"'));
  const overview = await getPage(t.app, "/monitor?window=1h");
  assert.ok(!overview.html.includes('data-alert="auc-drop"'));
});

Deno.test("an AUC drop alerts on the performance page, the overview and the JSON", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const records = await logPredictions(t);
  const threshold = t.model.meta.threshold;
  // Outcomes opposite to the scores: the model ranks them backwards.
  const labels = records.slice(0, 250).map((r) => (r.proba_default >= threshold ? 0 : 1) as 0 | 1);
  await feedBack(t, records, labels);

  const page = await getPage(t.app, "/monitor/performance?window=1h");
  assert.match(page.html, /data-testid="performance-alerts"/);
  assert.match(page.html, /data-alert="auc-drop"[^>]*><span class="badge verdict-high">/);

  const overview = await getPage(t.app, "/monitor?window=1h");
  const alert = overview.html.match(/<li[^>]*data-alert="auc-drop"[^>]*>.*?<\/li>/s)?.[0] ?? "";
  assert.match(alert, /level-critical/);
  assert.match(alert, /Model performance dropped/);
  assert.match(alert, /href="\/monitor\/performance"/);

  const res = await t.app.request("/monitor/api/performance?window=1h");
  const report = await res.json() as PerformanceReport;
  assert.equal(report.n_labelled, 250);
  assert.equal(report.alerts.length, 1);
  assert.equal(report.alerts[0].severity, "high");
});

Deno.test("a window larger than the row cap says which predictions were evaluated", async () => {
  await using t = await createSiteTestApp({
    now: () => NOW,
    site: { performance: { maxRows: 120 } },
  });
  await logPredictions(t);
  const { html } = await getPage(t.app, "/monitor/performance?window=1h");
  assert.match(html, /data-testid="n-predictions">300</);
  assert.match(html, /data-testid="row-cap">\(estimates on the 120 most recent\)/);
  const report = await (await t.app.request("/monitor/api/performance?window=1h")).json();
  assert.equal(report.n_predictions, 120);
});
