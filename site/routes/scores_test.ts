import assert from "node:assert/strict";
import { scoreBinCounts } from "../../api/store/histograms.ts";
import type { ScoreLive } from "../shared/types.ts";
import { getPage, islandProps } from "../testing/http.ts";
import { createSiteTestApp } from "../testing/site_test_kit.ts";
import type { ScoreHistogramProps } from "../islands/score_histogram.tsx";

const NOW = new Date("2026-03-01T12:00:00.000Z");

Deno.test("score distribution: production bins, reference shares and threshold", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const rows = t.rows.slice(0, 30);
  for (const features of rows) await (await t.post("/predict", { features })).text();
  const { status, html } = await getPage(t.app, "/monitor/scores?window=1h");
  assert.equal(status, 200);
  const props = islandProps(html, "score_histogram") as ScoreHistogramProps;
  assert.deepEqual(props.initial.counts, scoreBinCounts(await t.model.scoreRows(rows)));
  assert.equal(props.initial.n, 30);
  assert.equal(props.threshold, t.model.meta.threshold);
  assert.equal(props.liveUrl, "/monitor/api/scores?window=1h");
  const ref = scoreBinCounts(await t.model.scoreRows(t.rows));
  const refShares = ref.map((c) => c / t.rows.length);
  props.referenceShares!.forEach((s, i) => assert.ok(Math.abs(s - refShares[i]) < 1e-12));
  assert.ok(props.initial.psi !== null);
  assert.match(html, /Compared with the reference sample \(400/);
});

Deno.test("the live endpoint follows new predictions", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const n = async () =>
    (await (await t.app.request("/monitor/api/scores?window=1h")).json() as ScoreLive).n;
  assert.equal(await n(), 0);
  await (await t.post("/predict", { features: t.rows[0] })).text();
  assert.equal(await n(), 1);
});

Deno.test("without a reference sample the page still renders production scores", async () => {
  await using t = await createSiteTestApp({ now: () => NOW, withoutReference: true });
  await (await t.post("/predict", { features: t.rows[0] })).text();
  const { status, html } = await getPage(t.app, "/monitor/scores?window=1h");
  assert.equal(status, 200);
  assert.match(html, /data-testid="no-reference"/);
  const props = islandProps(html, "score_histogram") as ScoreHistogramProps;
  assert.equal(props.referenceShares, null);
  assert.equal(props.initial.n, 1);
  assert.equal(props.initial.psi, null);
  const overview = await getPage(t.app, "/monitor?window=1h");
  assert.equal(overview.status, 200);
});
