/**
 * End to end, in-process, with a pinned clock and the scheduler driven by
 * `tick()` (no sleeps): the real app and store, the real report worker, a
 * local webhook receiver on 127.0.0.1.
 */
import assert from "node:assert/strict";
import type { Features } from "../scoring/feature_vector.ts";
import { LATENCY_BUCKET_COUNT } from "../store/histograms.ts";
import { createMonitoring } from "../../main.ts";
import { getPage } from "../../site/testing/http.ts";
import {
  createSiteTestApp,
  scoredRecords,
  type SiteTestApp,
} from "../../site/testing/site_test_kit.ts";
import type { MonitorScheduler } from "./scheduler.ts";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

/** Logs the reference rows again at `atMs` (Income scaled by `incomeFactor`, 1 = clean). */
async function logRows(t: SiteTestApp, atMs: number, incomeFactor = 1): Promise<void> {
  const rows: Features[] = t.rows.map((r) => ({
    ...r,
    Income: typeof r.Income === "number" ? r.Income * incomeFactor : r.Income,
  }));
  await t.store.append({ rows: await scoredRecords(t.model, rows, { ts: () => iso(atMs) }) });
}

interface Received {
  body: Record<string, unknown>;
}

/** A webhook receiver on 127.0.0.1 answering `statuses` in turn (then 200). */
function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    received.push({ body: await req.json() });
    return new Response(null, { status: statuses.shift() ?? 200 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hooks/secret-token`,
    received,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

async function setup(
  t: SiteTestApp,
  clock: { ms: number },
  options: {
    webhook?: string;
    windowHours?: number;
    format?: "json" | "slack";
    minNewRows?: number;
  } = {},
): Promise<MonitorScheduler> {
  const { scheduler } = await createMonitoring({
    config: {
      artifactsDir: t.dir,
      driftIntervalMinutes: 60,
      driftMinNewRows: options.minNewRows ?? 0,
      driftWindowHours: options.windowHours ?? 24,
      alertWebhookUrl: options.webhook ?? "",
      alertWebhookFormat: options.format ?? "json",
    },
    meta: t.model.meta,
    store: t.store,
    referencePath: t.referencePath,
    now: () => new Date(clock.ms),
    sleep: () => Promise.resolve(),
    onError: (err) => {
      throw err;
    },
  });
  return scheduler!;
}

Deno.test("a report appears on the drift page without any click", async () => {
  const clock = { ms: T0 };
  await using t = await createSiteTestApp({ now: () => new Date(clock.ms) });
  const scheduler = await setup(t, clock);
  assert.equal((await scheduler.tick()).status, "no_rows");
  assert.match((await getPage(t.app, "/monitor/drift")).html, /data-testid="no-report"/);

  await logRows(t, T0 - 30 * 60_000);
  const outcome = await scheduler.tick();
  assert.equal(outcome.status, "computed");
  const { html } = await getPage(t.app, "/monitor/drift");
  assert.match(html, /data-testid="n-production">400</);
  assert.match(html, /data-testid="report-source">scheduled/);
  assert.equal((await t.store.monitor.history.list()).length, 1);

  assert.equal((await scheduler.tick()).status, "not_due", "within the interval");
  clock.ms += 61 * 60_000;
  assert.equal((await scheduler.tick()).status, "computed", "the interval passed");
  assert.equal((await t.store.monitor.history.list()).length, 2);
});

Deno.test("replicas sharing a database compute one report: the lease", async () => {
  const clock = { ms: T0 };
  await using t = await createSiteTestApp({ now: () => new Date(clock.ms) });
  await logRows(t, T0 - 60_000);
  const [a, b] = [await setup(t, clock), await setup(t, clock)];
  const outcomes = await Promise.all([a.tick(), b.tick()]);
  assert.deepEqual(outcomes.map((o) => o.status).sort(), ["busy", "computed"]);
  assert.equal((await b.tick()).status, "not_due");
  assert.equal((await t.store.monitor.history.list()).length, 1);
});

Deno.test("the history shows when a drift started, per hour", async () => {
  const clock = { ms: T0 };
  await using t = await createSiteTestApp({ now: () => new Date(clock.ms) });
  const start = T0 - 6 * 3_600_000;
  // Six hours: clean, clean, clean, then Income × 4 from the fourth hour on.
  for (let h = 0; h < 6; h++) await logRows(t, start + h * 3_600_000 + 60_000, h < 3 ? 1 : 4);
  const scheduler = await setup(t, clock);
  const outcome = await scheduler.tick();
  assert.equal(outcome.status, "computed");
  const report = outcome.status === "computed" ? outcome.report : null;
  const chunks = report!.chunks!;
  assert.equal(chunks.size, "hour");
  assert.deepEqual(
    chunks.rows.map((c) => [c.start, c.verdicts.Income]),
    [0, 1, 2, 3, 4, 5].map((h) => [iso(start + h * 3_600_000), h < 3 ? "low" : "severe"]),
  );
  const { html } = await getPage(t.app, "/monitor/drift");
  const heat = html.match(/<table[^>]*data-testid="chunk-heatmap".*?<\/table>/s)?.[0] ?? "";
  const incomeRow = heat.match(/<tr\s+data-feature="Income">.*?<\/tr>/s)?.[0] ?? "";
  const cells = [...incomeRow.matchAll(/class="heat verdict-([a-z_]+)"/g)].map((m) => m[1]);
  assert.deepEqual(cells, ["low", "low", "low", "severe", "severe", "severe"]);
});

Deno.test("a webhook receives one alert and one resolution", async () => {
  await using hook = receiver([500]); // the first attempt fails: retried
  const clock = { ms: T0 };
  await using t = await createSiteTestApp({ now: () => new Date(clock.ms) });
  const scheduler = await setup(t, clock, { webhook: hook.url, windowHours: 1, minNewRows: 300 });
  // Clean traffic, but 10% of the last hour's requests answered 5xx.
  await logRows(t, T0 - 10 * 60_000);
  const minute = Math.floor(T0 / 60_000) - 10;
  const latency = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  await t.store.requests.add([
    {
      minute,
      route: "POST /predict",
      statusClass: 2,
      n: 90,
      sumMs: 90,
      maxMs: 1,
      buckets: latency.map((_, k) => (k === 0 ? 90 : 0)),
    },
    {
      minute,
      route: "POST /predict",
      statusClass: 5,
      n: 10,
      sumMs: 10,
      maxMs: 1,
      buckets: latency.map((_, k) => (k === 0 ? 10 : 0)),
    },
  ]);
  const first = await scheduler.tick();
  assert.equal(first.status, "computed");
  assert.deepEqual(
    hook.received.map((r) => [r.body.event, (r.body.alert as { key: string }).key]),
    [
      ["firing", "error_rate"],
      ["firing", "error_rate"],
    ],
    "one alert, sent twice: the first attempt got a 500",
  );

  // 400 new rows half an hour later: a report is due; the errors are still in the last hour.
  clock.ms += 30 * 60_000;
  await logRows(t, clock.ms - 60_000);
  assert.equal((await scheduler.tick()).status, "computed");
  assert.equal(hook.received.length, 2);

  clock.ms += 61 * 60_000;
  await logRows(t, clock.ms - 60_000);
  assert.equal((await scheduler.tick()).status, "computed");
  assert.deepEqual(
    hook.received.slice(2).map((r) => [r.body.event, (r.body.alert as { key: string }).key]),
    [
      ["resolved", "error_rate"],
    ],
  );
  const deliveries = await t.store.monitor.deliveries.recent(10);
  assert.deepEqual(deliveries.map((d) => [d.event, d.attempt, d.status, d.ok]).reverse(), [
    ["firing", 1, 500, false],
    ["firing", 2, 200, true],
    ["resolved", 1, 200, true],
  ]);
  assert.ok(deliveries.every((d) => d.target === new URL(hook.url).host), "no secret path stored");
  const { html } = await getPage(t.app, "/monitor/drift");
  assert.match(html, /data-testid="deliveries"/);
  assert.match(html, /error_rate/);
});

Deno.test("a failing webhook never affects scoring: recorded, retried later", async () => {
  // A port nobody listens on: every attempt is refused.
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(closed.addr as Deno.NetAddr).port}/hook`;
  closed.close();
  const clock = { ms: T0 };
  await using t = await createSiteTestApp({ now: () => new Date(clock.ms) });
  const scheduler = await setup(t, clock, { webhook: url });
  await logRows(t, T0 - 60_000, 4);
  assert.equal((await scheduler.tick()).status, "computed");
  const deliveries = await t.store.monitor.deliveries.recent(100);
  assert.ok(deliveries.length >= 3 && deliveries.every((d) => !d.ok && d.status === null));
  const active = (await t.store.monitor.alerts.all()).filter((a) => a.resolved_at === null);
  assert.ok(active.length > 0 && active.every((a) => a.fired_sent_at === null), "unsent: retried");
  const res = await t.post("/predict", { features: t.rows[0] }, { "x-request-id": "after-hook" });
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

Deno.test("the report history shows the report where a drift started", async () => {
  const clock = { ms: T0 };
  await using t = await createSiteTestApp({ now: () => new Date(clock.ms) });
  const scheduler = await setup(t, clock, { windowHours: 1 });
  // One report an hour over the last hour's rows; Income × 4 from the fourth hour on.
  for (let h = 0; h < 6; h++) {
    await logRows(t, clock.ms - 10 * 60_000, h < 3 ? 1 : 4);
    assert.equal((await scheduler.tick()).status, "computed");
    clock.ms += 60 * 60_000;
  }
  const history = await t.store.monitor.history.list();
  assert.deepEqual(
    history.map((e) => [e.generated_at, JSON.parse(e.summary_json).verdicts.Income]),
    [0, 1, 2, 3, 4, 5].map((h) => [iso(T0 + h * 3_600_000), h < 3 ? "low" : "severe"]),
  );
  const { html } = await getPage(t.app, "/monitor/drift");
  const heat = html.match(/<table[^>]*data-testid="history-heatmap".*?<\/table>/s)?.[0] ?? "";
  const incomeRow = heat.match(/<tr\s+data-feature="Income">.*?<\/tr>/s)?.[0] ?? "";
  const cells = [...incomeRow.matchAll(/class="heat verdict-([a-z_]+)"/g)].map((m) => m[1]);
  assert.deepEqual(cells, ["low", "low", "low", "severe", "severe", "severe"]);
});
