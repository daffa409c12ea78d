import assert from "node:assert/strict";
import type { Features } from "../../api/scoring/feature_vector.ts";
import type { DriftReport } from "../../monitoring/drift_report.ts";
import { getPage, islandProps, postForm } from "../testing/http.ts";
import { createSiteTestApp, scoredRecords, type SiteTestApp } from "../testing/site_test_kit.ts";
import type { DriftBarsProps } from "../islands/drift_bars.tsx";

const NOW = new Date("2026-03-01T12:00:00.000Z");

/** Logs the reference rows again, with Income multiplied (0 = no drift). */
async function logRows(t: SiteTestApp, incomeFactor: number): Promise<void> {
  const rows: Features[] = t.rows.map((r) => ({
    ...r,
    Income: typeof r.Income === "number" && incomeFactor ? r.Income * incomeFactor : r.Income,
  }));
  await t.store.append({
    rows: await scoredRecords(t.model, rows, { ts: () => NOW.toISOString() }),
  });
}

function featureRow(html: string, name: string): string {
  return html.match(new RegExp(`<tr\\s+data-feature="${name}".*?</tr>`, "s"))?.[0] ?? "";
}

Deno.test("recomputing shows an injected drift on the drift page", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  assert.match((await getPage(t.app, "/monitor/drift")).html, /data-testid="no-report"/);
  await logRows(t, 4);
  const post = await postForm(t.app, "/monitor/drift", { scope: "1h" });
  assert.equal(post.status, 303);
  assert.equal(post.headers.get("location"), "/monitor/drift?computed=1");

  const { status, html } = await getPage(t.app, "/monitor/drift?computed=1");
  assert.equal(status, 200);
  assert.match(html, /Report recomputed/);
  assert.match(html, /data-testid="n-production">400</);
  assert.match(featureRow(html, "Income"), /badge verdict-(high|severe)/);
  assert.match(featureRow(html, "Age"), /badge verdict-low/);
  for (const f of t.model.meta.features) assert.ok(featureRow(html, f.name), f.name);
  assert.match(html, /data-testid="multivariate"/);
  assert.match(html, /data-testid="chunk-heatmap"/);
  assert.match(html, /data-testid="data-quality"/);
  const bars = islandProps(html, "drift_bars") as DriftBarsProps;
  assert.deepEqual(bars.spec.series.map((s) => s.label), ["Reference", "Production"]);

  const stored = (await t.store.reports.latest())!;
  const performance = (JSON.parse(stored.report_json) as DriftReport).performance!;
  assert.equal(performance.n_predictions, 400, "the report carries the window's performance");
  assert.equal(performance.reference?.roc_auc, t.model.meta.metrics.test?.roc_auc);
  assert.match(html, /data-testid="report-performance">0 of 400 predictions/);

  const overview = await getPage(t.app, "/monitor?window=1h");
  assert.match(overview.html, /data-alert="drift"[^>]*>.*?Drift: (high|severe)/s);
  assert.match(overview.html, /Income \((high|severe)/);
});

Deno.test("no drift when production repeats the reference", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  await logRows(t, 0);
  assert.equal((await postForm(t.app, "/monitor/drift", { scope: "all" })).status, 303);
  const { html } = await getPage(t.app, "/monitor/drift");
  assert.match(html, /Latest report <span class="badge verdict-low">/);
});

Deno.test("recompute refuses cross-site posts, empty windows, bursts; needs a reference", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const forged = await postForm(t.app, "/monitor/drift", { scope: "all" }, {
    origin: "https://evil.example",
  });
  assert.equal(forged.status, 403);
  assert.match(forged.html, /Forbidden/);
  const empty = await postForm(t.app, "/monitor/drift", { scope: "1h" });
  assert.equal(empty.status, 409);
  assert.match(empty.html, /No predictions in the selected window/);

  await logRows(t, 0);
  assert.equal((await postForm(t.app, "/monitor/drift", { scope: "recent" })).status, 303);
  const again = await postForm(t.app, "/monitor/drift", { scope: "recent" });
  assert.equal(again.status, 429);
  assert.ok(Number(again.headers.get("retry-after")) > 0);

  await using bare = await createSiteTestApp({ now: () => NOW, withoutReference: true });
  const page = await getPage(bare.app, "/monitor/drift");
  assert.match(page.html, /<button type="submit" disabled/);
  assert.equal((await postForm(bare.app, "/monitor/drift", { scope: "all" })).status, 409);
});

Deno.test("a newer report from deno task drift (the JSON file) is shown", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  await logRows(t, 0);
  await postForm(t.app, "/monitor/drift", { scope: "all" });
  const stored = (await t.store.reports.latest())!;
  const report = JSON.parse(stored.report_json) as DriftReport;
  const fileReport = {
    ...report,
    generated_at: "2026-03-01T13:00:00.000Z",
    window: { ...report.window, n_production: 1234 },
  };
  const path = `${t.referencePath.replace(/reference_sample\.csv$/, "")}drift_report.json`;
  await Deno.writeTextFile(path, JSON.stringify(fileReport));
  const { html } = await getPage(t.app, "/monitor/drift");
  assert.match(html, /deno task drift \(/);
  assert.match(html, /data-testid="n-production">1,234</);
});
