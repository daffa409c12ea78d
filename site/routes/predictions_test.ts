import assert from "node:assert/strict";
import type { Features } from "../../api/scoring/feature_vector.ts";
import type { PredictionRecord } from "../../api/store/mod.ts";
import { getPage } from "../testing/http.ts";
import { createSiteTestApp, scoredRecords } from "../testing/site_test_kit.ts";
import { PAGE_SIZE } from "./predictions.tsx";

const NOW = new Date("2026-03-01T12:00:00.000Z");

const ids = (html: string) =>
  [...html.matchAll(/href="\/monitor\/predictions\/(\d+)"/g)].map((m) => Number(m[1]));
const link = (html: string, rel: "next" | "prev") =>
  html.match(new RegExp(`<a href="([^"]+)" rel="${rel}"`))?.[1]?.replaceAll("&amp;", "&");

Deno.test("the log browser pages through every row, newest first", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const n = 2 * PAGE_SIZE + 20;
  await t.store.append({
    rows: await scoredRecords(
      t.model,
      Array.from({ length: n }, (_, i) => t.rows[i % t.rows.length]),
      {
        ts: (i) => new Date(NOW.getTime() - (n - i) * 1000).toISOString(),
      },
    ),
  });
  const seen: number[] = [];
  let path: string | undefined = "/monitor/predictions";
  let pages = 0;
  while (path) {
    const { status, html }: { status: number; html: string } = await getPage(t.app, path);
    assert.equal(status, 200);
    if (pages === 0) assert.match(html, new RegExp(`${n} matching predictions`));
    seen.push(...ids(html));
    path = link(html, "next");
    pages++;
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, Array.from({ length: n }, (_, i) => n - i));

  const second = await getPage(
    t.app,
    `/monitor/predictions?window=all&before=${n - PAGE_SIZE + 1}`,
  );
  const newer = link(second.html, "prev")!;
  assert.deepEqual(ids((await getPage(t.app, newer)).html), seen.slice(0, PAGE_SIZE));
});

Deno.test("filters: decision, model version, request id, window", async () => {
  let now = new Date(NOW.getTime() - 5 * 3_600_000);
  await using t = await createSiteTestApp({ now: () => now });
  const old = await scoredRecords(t.model, t.rows.slice(0, 40), { ts: () => now.toISOString() });
  await t.store.append({ rows: old.map((r) => ({ ...r, model_version: "old-model" })) });
  now = NOW;
  const fresh = await scoredRecords(t.model, t.rows.slice(40, 100), {
    ts: () => now.toISOString(),
    requestId: (i) => `fresh-${i}`,
  });
  await t.store.append({ rows: fresh });

  const rejects = await getPage(t.app, "/monitor/predictions?window=all&decision=reject");
  const want = [...old, ...fresh].map((r, i) => ({ ...r, id: i + 1 }))
    .filter((r) => r.decision === 1).map((r) => r.id).reverse().slice(0, PAGE_SIZE);
  assert.deepEqual(ids(rejects.html), want);
  assert.ok(!rejects.html.includes("badge decision-approve"));

  const oldOnly = await getPage(t.app, "/monitor/predictions?window=all&model_version=old-model");
  assert.deepEqual(ids(oldOnly.html), Array.from({ length: 40 }, (_, i) => 40 - i));
  assert.match(oldOnly.html, /<option\s+value="old-model" selected/);

  const lastHour = await getPage(t.app, "/monitor/predictions?window=1h");
  assert.equal(ids(lastHour.html).length, PAGE_SIZE);
  assert.match(lastHour.html, /60 matching predictions/);

  const byId = await getPage(t.app, "/monitor/predictions?request_id=fresh-7");
  assert.deepEqual(ids(byId.html), [48]);
});

Deno.test("the detail page lists the input features; unknown ids are an HTML 404", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const features: Features = { ...t.rows[0], Income: null };
  await (await t.post("/predict", { features })).text();
  const { status, html } = await getPage(t.app, "/monitor/predictions/1");
  assert.equal(status, 200);
  for (const f of t.model.meta.features) {
    const cell = html.match(new RegExp(`<td>${f.name}</td><td>(.*?)</td>`))?.[1];
    const v = features[f.name];
    assert.equal(cell, v === null ? '<span class="muted">missing</span>' : `<code>${v}</code>`);
  }
  for (const path of ["/monitor/predictions/99", "/monitor/predictions/abc"]) {
    const missing = await getPage(t.app, path);
    assert.equal(missing.status, 404, path);
    assert.match(missing.headers.get("content-type")!, /text\/html/);
  }
});

const HOSTILE = [
  `<script>alert("x")</script>`,
  `"><img src=x onerror=alert(1)>`,
  `</code></td><svg onload=alert(2)>`,
];

Deno.test("hostile logged strings are escaped everywhere", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const [base] = await scoredRecords(t.model, [t.rows[0]], { ts: () => NOW.toISOString() });
  const rows: PredictionRecord[] = HOSTILE.map((h, i) => ({
    ...base,
    request_id: `${h}-${i}`,
    model_version: h,
    input_json: JSON.stringify({ ...t.rows[0], Home: h, [h]: h }),
  }));
  rows.push({ ...base, request_id: "not-json", input_json: HOSTILE.join("") });
  await t.store.append({ rows: rows });
  const pages = [
    "/monitor/predictions",
    `/monitor/predictions?window=all&model_version=${encodeURIComponent(HOSTILE[0])}`,
    ...rows.map((_, i) => `/monitor/predictions/${i + 1}`),
    "/monitor?window=1h",
    "/monitor/scores",
  ];
  for (const path of pages) {
    const { status, html } = await getPage(t.app, path);
    assert.equal(status, 200, path);
    const bad = html.match(/<script>alert|<img src=x|<svg onload/);
    assert.equal(bad, null, `unescaped markup on ${path}`);
  }
  const detail = (await getPage(t.app, "/monitor/predictions/2")).html;
  assert.ok(detail.includes("&quot;>&lt;img src=x onerror=alert(1)>"));
  const list = (await getPage(t.app, "/monitor/predictions")).html;
  assert.ok(list.includes("&lt;script>alert(&quot;x&quot;)&lt;/script>"));
});

const reasonCells = (html: string) =>
  [...html.matchAll(/<tr\s+data-reason="[^"]*">(.*?)<\/tr>/gs)].map((m) =>
    [...m[1].matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => c[1])
  );

Deno.test("the detail page shows stored reasons, escaping hostile text", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const [base] = await scoredRecords(t.model, [t.rows[0]], { ts: () => NOW.toISOString() });
  const stored = [
    { feature: HOSTILE[0], contribution: 0.75, value: HOSTILE[1], reason: HOSTILE[2] },
    { feature: "Income", contribution: 0.125, value: null, reason: "Low income" },
  ];
  await t.store.append({ rows: [{ ...base, reasons_json: JSON.stringify(stored) }] });
  const { status, html } = await getPage(t.app, "/monitor/predictions/1");
  assert.equal(status, 200);
  assert.match(html, /data-testid="reasons-stored"/);
  assert.equal(html.match(/<script>alert|<img src=x|<svg onload/), null);
  const rows = reasonCells(html);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0], [
    "&lt;script>alert(&quot;x&quot;)&lt;/script>",
    "<code>&quot;>&lt;img src=x onerror=alert(1)></code>",
    "&lt;/code>&lt;/td>&lt;svg onload=alert(2)>",
    "+0.750",
  ]);
  assert.deepEqual(rows[1], [
    "Income",
    '<span class="muted">missing</span>',
    "Low income",
    "+0.125",
  ]);
});

Deno.test("without stored reasons they are computed now, when the model in service can", async () => {
  await using t = await createSiteTestApp({ now: () => NOW });
  const risky = { ...t.rows[0], Records: "yes", Income: null, Seniority: 1 };
  const [row] = await scoredRecords(t.model, [risky], { ts: () => NOW.toISOString() });
  const [safe] = await scoredRecords(t.model, [{
    ...risky,
    Records: "no",
    Income: 500,
    Seniority: 10,
  }], {
    ts: () => NOW.toISOString(),
  });
  await t.store.append({
    rows: [
      row,
      { ...row, request_id: "old-model", model_version: "some-older-model" },
      { ...row, request_id: "bad-input", input_json: JSON.stringify({ Income: "lots" }) },
      { ...row, request_id: "unreadable", reasons_json: "{not json" },
      safe,
    ],
  });
  const computed = (await getPage(t.app, "/monitor/predictions/1")).html;
  assert.match(computed, /data-testid="reasons-computed"[^>]*>Computed now/);
  // The fixture's stumps (see fixture_model.ts): Records = yes, Income missing, Seniority < 3
  // each push towards default; Records by the largest step.
  const rows = reasonCells(computed);
  assert.deepEqual(rows.map((r) => r[0]), ["Records", "Income", "Seniority"]);
  assert.deepEqual(rows.map((r) => r[2]), ["Records level", "Income value", "Seniority value"]);
  assert.ok(rows.every((r) => Number(r[3]) > 0));

  for (const id of [2, 3]) {
    const html = (await getPage(t.app, `/monitor/predictions/${id}`)).html;
    assert.match(html, /data-testid="reasons-unavailable"/, String(id));
  }
  assert.match((await getPage(t.app, "/monitor/predictions/2")).html, /another model version/);
  assert.match((await getPage(t.app, "/monitor/predictions/4")).html, /reasons-computed/);
  assert.match((await getPage(t.app, "/monitor/predictions/5")).html, /data-testid="no-reasons"/);
});
