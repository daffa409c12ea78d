import assert from "node:assert/strict";
import { allRows } from "../../api/testing/temp_store.ts";
import { sigmoid } from "../../api/scoring/tree_ensemble.ts";
import { type Store, StoreWriteError } from "../../api/store/mod.ts";
import { fixtureLogOdds } from "../../api/testing/fixture_model.ts";
import { defaultFormValues } from "../lib/score_form.ts";
import { getPage, postForm } from "../testing/http.ts";
import { createSiteTestApp } from "../testing/site_test_kit.ts";

Deno.test("the form offers every feature with metadata defaults and a missing option", async () => {
  await using t = await createSiteTestApp();
  const { status, html } = await getPage(t.app, "/monitor/score");
  assert.equal(status, 200);
  for (const f of t.model.meta.features) {
    if (f.type === "numeric") {
      assert.match(
        html,
        new RegExp(`<input id="f-${f.name}" name="${f.name}"[^>]*value="${f.median}"`),
      );
    } else {
      const select = html.match(new RegExp(`<select id="f-${f.name}".*?</select>`, "s"))![0];
      assert.match(select, /<option value=""\s*>\(missing\)<\/option>/);
      assert.match(select, new RegExp(`<option\\s+value="${f.mode}" selected>`));
      assert.equal([...select.matchAll(/<option/g)].length, f.levels.length + 1);
    }
  }
});

const expectedLabel = (row: Record<string, unknown>, threshold: number) =>
  sigmoid(fixtureLogOdds(row)) >= threshold ? "High risk: reject" : "Low risk: approve";

Deno.test("submitting scores through the predictor, logs the row and labels the risk", async () => {
  await using t = await createSiteTestApp();
  const defaults = defaultFormValues(t.model.meta);
  const cases = [
    defaults,
    { ...defaults, Records: "yes", Income: "", Seniority: "1" },
  ];
  for (const fields of cases) {
    const before = await t.store.predictions.count();
    const { status, html } = await postForm(t.app, "/monitor/score", fields);
    assert.equal(status, 200);
    const row = Object.fromEntries(
      t.model.meta.features.map((f) => [
        f.name,
        fields[f.name] === ""
          ? null
          : f.type === "numeric"
          ? Number(fields[f.name])
          : fields[f.name],
      ]),
    );
    const label = html.match(/data-testid="risk-label">([^<]*)</)![1];
    assert.equal(label, expectedLabel(row, t.model.meta.threshold));
    assert.equal(await t.store.predictions.count(), before + 1);
    const logged = (await allRows(t.store)).at(-1)!;
    assert.deepEqual(JSON.parse(logged.input_json), row);
    assert.match(html, new RegExp(`href="/monitor/predictions/${logged.id}"`));
    const proba = Number(html.match(/data-testid="proba">([^<]*)</)![1]);
    assert.ok(Math.abs(proba - logged.proba_default) < 5e-4);
  }
});

Deno.test("invalid fields are shown with their messages and nothing is logged", async () => {
  await using t = await createSiteTestApp();
  const defaults = defaultFormValues(t.model.meta);
  const { status, html } = await postForm(t.app, "/monitor/score", {
    ...defaults,
    Income: "a lot",
    Home: "castle",
  });
  assert.equal(status, 422);
  assert.match(html, /data-error="Income"/);
  assert.match(html, /value="a lot"/, "the submitted text is kept");
  assert.equal(await t.store.predictions.count(), 0);
  const level = await postForm(t.app, "/monitor/score", { ...defaults, Home: "castle" });
  assert.match(level.html, /data-error="Home">unknown level &quot;castle&quot;/);
});

Deno.test("a failing audit log is a 503 page, never a result", async () => {
  await using t = await createSiteTestApp({
    wrapStore: (store: Store): Store => ({
      ...store,
      append: () => Promise.reject(new StoreWriteError(new Error("disk full"))),
    }),
  });
  const res = await postForm(t.app, "/monitor/score", defaultFormValues(t.model.meta));
  assert.equal(res.status, 503);
  assert.equal(res.headers.get("retry-after"), "5");
  assert.match(res.html, /could not be written to the audit log/);
  assert.ok(!res.html.includes("risk-label"));
});

Deno.test("a form posted from another site is refused", async () => {
  await using t = await createSiteTestApp();
  const res = await postForm(t.app, "/monitor/score", defaultFormValues(t.model.meta), {
    origin: null,
  });
  assert.equal(res.status, 403);
  assert.equal(await t.store.predictions.count(), 0);
});

Deno.test("the result shows the top reasons, stored with the logged row", async () => {
  await using t = await createSiteTestApp();
  const fields = { ...defaultFormValues(t.model.meta), Records: "yes", Income: "" };
  const { status, html } = await postForm(t.app, "/monitor/score", fields);
  assert.equal(status, 200);
  const table = html.match(/<table data-testid="reasons">.*?<\/table>/s)?.[0] ?? "";
  const features = [...table.matchAll(/<tr\s+data-reason="([^"]+)"/g)].map((m) => m[1]);
  const logged = (await allRows(t.store)).at(-1)!;
  const stored = JSON.parse(logged.reasons_json!) as { feature: string; reason: string }[];
  assert.deepEqual(features, stored.map((r) => r.feature));
  assert.deepEqual(features.slice(0, 2), ["Records", "Income"], "fixture stumps, largest first");
  assert.match(table, /<td>Records level<\/td>/);
  assert.ok(html.indexOf("risk-label") < html.indexOf('data-testid="reasons"'));
});
