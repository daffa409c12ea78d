import assert from "node:assert/strict";
import { LATENCY_BOUNDS_MS, LATENCY_BUCKET_COUNT } from "../../api/store/histograms.ts";
import type { OverviewLive } from "../shared/types.ts";
import { getPage, islandProps } from "../testing/http.ts";
import { createSiteTestApp, scoredRecords } from "../testing/site_test_kit.ts";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const minute = Math.floor(NOW.getTime() / 60_000);

const kpi = (live: OverviewLive, id: string) => live.kpis.find((k) => k.id === id)!;

Deno.test("overview of an empty log renders, with the model and no data", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const { status, headers, html } = await getPage(t.app, "/monitor");
  assert.equal(status, 200);
  assert.match(headers.get("content-type")!, /text\/html/);
  assert.match(html, /<h1>Overview<\/h1>/);
  assert.ok(html.includes(t.model.meta.model_version));
  assert.match(html, /data-alert="drift"/, "no drift report yet is an info alert");
  const live = islandProps(html, "overview_live") as { initial: OverviewLive };
  assert.equal(kpi(live.initial, "predictions").value, "0");
  assert.deepEqual(
    live.initial.charts.map((c) => c.id),
    ["chart-traffic", "chart-decisions", "chart-latency", "chart-errors"],
  );
});

Deno.test("overview counts predictions, requests and rejected requests of the window", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const rows = t.rows.slice(0, 12);
  for (const features of rows) await (await t.post("/predict", { features })).text();
  for (let i = 0; i < 3; i++) {
    await (await t.post("/predict", { features: { ...rows[0], Income: "lots" } })).text();
  }
  const res = await t.app.request("/monitor/api/overview?window=1h");
  assert.equal(res.status, 200);
  const live = await res.json() as OverviewLive;
  assert.equal(kpi(live, "predictions").value, "12");
  assert.equal(kpi(live, "requests").value, "15");
  assert.equal(kpi(live, "client-errors").detail, "3 of 15");
  const probas = await t.model.scoreRows(rows);
  const rejects = probas.filter((p) => p >= t.model.meta.threshold).length;
  assert.equal(kpi(live, "reject-rate").value, `${(100 * rejects / 12).toFixed(1)}%`);
  const traffic = live.charts.find((c) => c.id === "chart-traffic")!;
  assert.equal(traffic.x.length, 60);
  assert.equal(traffic.series[1].values.reduce((a, b) => a! + b!, 0), 12);

  const page = await getPage(t.app, "/monitor?window=1h");
  assert.match(page.html, /<code>POST \/predict<\/code>/, "per-route table");
  assert.match(page.html, /aria-current="true"[^>]*>1 h</);
});

Deno.test("overview raises latency, error and score-mix alerts", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const slow = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  slow[LATENCY_BOUNDS_MS.indexOf(1000)] = 100;
  const failed = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  failed[0] = 10;
  await t.store.requests.add([
    {
      minute,
      route: "POST /predict",
      statusClass: 2,
      n: 100,
      sumMs: 80_000,
      maxMs: 990,
      buckets: slow,
    },
    { minute, route: "POST /predict", statusClass: 5, n: 10, sumMs: 5, maxMs: 1, buckets: failed },
  ]);
  const risky = t.rows.filter((r) => r.Records === "yes").slice(0, 40);
  const records = await scoredRecords(
    t.model,
    Array.from({ length: 300 }, (_, i) => risky[i % risky.length]),
    {
      ts: () => NOW.toISOString(),
    },
  );
  await t.store.append({ rows: records });
  const { html } = await getPage(t.app, "/monitor?window=1h");
  for (const kind of ["latency", "errors", "score-mix"]) {
    assert.match(html, new RegExp(`data-alert="${kind}"`), kind);
  }
  assert.match(html, /Scoring latency above 0\.5 s/);
});

Deno.test("the window selector changes what the overview counts", async () => {
  let now = new Date(NOW.getTime() - 3 * 3_600_000);
  await using t = await createSiteTestApp({ now: () => now });
  await (await t.post("/predict", { features: t.rows[0] })).text();
  now = NOW;
  await (await t.post("/predict", { features: t.rows[1] })).text();
  const count = async (w: string) => {
    const live = await (await t.app.request(`/monitor/api/overview?window=${w}`)).json();
    return kpi(live as OverviewLive, "predictions").value;
  };
  assert.equal(await count("1h"), "1");
  assert.equal(await count("24h"), "2");
  assert.equal(await count("all"), "2");
});

Deno.test("the overview shows the service's memory and CPU, refreshed with the live data", async () => {
  let usage = { rssBytes: 70 * 1024 * 1024, heapUsedBytes: 12.5 * 1024 * 1024, cpuPercent: 3.5 };
  await using t = await createSiteTestApp({ now: () => NOW, site: { processUsage: () => usage } });
  const { html } = await getPage(t.app, "/monitor");
  const live = islandProps(html, "overview_live") as { initial: OverviewLive };
  assert.equal(kpi(live.initial, "memory").value, "70.0 MiB");
  assert.equal(kpi(live.initial, "memory").detail, "JS heap 12.5 MiB");
  assert.equal(kpi(live.initial, "cpu").value, "3.5%");
  assert.match(html, /data-kpi="memory"/, "server-rendered too");

  usage = { ...usage, rssBytes: 2 * 1024 ** 3, cpuPercent: 95 };
  const polled = await (await t.app.request("/monitor/api/overview")).json() as OverviewLive;
  assert.equal(kpi(polled, "memory").value, "2.0 GiB");
  assert.equal(kpi(polled, "cpu").tone, "warn");
});

Deno.test("by default the overview samples this process", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const live = await (await t.app.request("/monitor/api/overview")).json() as OverviewLive;
  assert.match(kpi(live, "memory").value, /^\d+\.\d (MiB|GiB)$/);
  assert.match(kpi(live, "cpu").value, /^\d+\.\d%$/);
});
