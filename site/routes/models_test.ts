import assert from "node:assert/strict";
import { getPage, logIn, postForm } from "../testing/http.ts";
import { seedComparison } from "../testing/comparison_seed.ts";
import {
  createFakeModelAdmin,
  type FakeModelAdmin,
  versionInfo,
} from "../testing/fake_model_admin.ts";
import { createSiteTestApp, type SiteTestApp } from "../testing/site_test_kit.ts";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const ADMIN = "admin-key-0000000000000001";

/** Serves the champion with v2 in its shadow (40 rows each) and logs their comparison rows. */
async function servePair(t: SiteTestApp, models: FakeModelAdmin): Promise<string> {
  const champion = t.model.meta.model_version;
  models.versions.push(
    versionInfo(champion, "champion", { rows_scored: 40 }),
    versionInfo("v2", "shadow", { rows_scored: 40 }),
  );
  await seedComparison(t.store, champion, NOW);
  return champion;
}

const swapRow = (html: string, cell: string) =>
  html.match(new RegExp(`data-cell="${cell}".*?</tr>`, "s"))?.[0] ?? "";

Deno.test("with one model the model pages say there is nothing to compare", async () => {
  // No ModelAdmin: the site as mounted by a tool that serves one artifacts directory.
  await using t = await createSiteTestApp({ now: () => NOW, site: { models: undefined } });
  for (const path of ["/monitor/models", "/monitor/models/compare/v2"]) {
    const page = await getPage(t.app, path);
    assert.equal(page.status, 200, path);
    assert.match(page.html, /data-testid="nothing-to-compare"/);
  }
  const post = await postForm(t.app, "/monitor/models/rollback", {});
  assert.equal(post.status, 409);
  assert.match(post.html, /serves one model/);
});

Deno.test("the comparison page shows distributions, agreement, swap set and realised metrics", async () => {
  const models = createFakeModelAdmin([]);
  await using t = await createSiteTestApp({ now: () => NOW, site: { models } });
  await servePair(t, models);

  const list = await getPage(t.app, "/monitor/models");
  assert.equal(list.status, 200);
  assert.match(list.html, /aria-current="page"[^>]*>Models</);
  assert.match(
    list.html,
    /<tr\s+data-version="v2">.*?data-role="shadow".*?href="\/monitor\/models\/compare\/v2"/s,
  );
  assert.match(list.html, /href="\/monitor\/drift\?version=v2"/);

  const { status, html } = await getPage(t.app, "/monitor/models/compare/v2");
  assert.equal(status, 200);
  assert.match(html, /data-testid="n-paired">40</);
  assert.match(html, /data-testid="n-labelled">20</);
  assert.match(html, /data-testid="agreement">50\.0%</);
  assert.match(html, /data-testid="challenger-reject-rate">50\.0%</);
  for (const cell of ["approve-approve", "approve-reject", "reject-approve", "reject-reject"]) {
    assert.match(swapRow(html, cell), /data-col="n">10</, cell);
  }
  // Even i in 10…19 have outcomes: 12 and 16 defaulted, 10, 14 and 18 repaid.
  assert.match(swapRow(html, "approve-reject"), /data-col="default-rate">40\.0%/);
  assert.match(html, /data-testid="distribution-chart"><svg class="svg-chart"/);
  assert.match(html, /<tr\s+data-metric="roc_auc">/);
  assert.match(html, /data-testid="promote-form"/);
  assert.match(html, /data-testid="no-changes"/);
});

Deno.test("promote and roll back go through the model admin, then back to the list", async () => {
  const models = createFakeModelAdmin([], () => NOW);
  await using t = await createSiteTestApp({ now: () => NOW, site: { models } });
  models.versions.push(
    versionInfo(t.model.meta.model_version, "champion"),
    versionInfo("v2", "shadow"),
  );
  const promoted = await postForm(t.app, "/monitor/models/v2/promote", { reason: "better AUC" });
  assert.equal(promoted.status, 303);
  assert.equal(promoted.headers.get("location"), "/monitor/models?done=promote");
  assert.deepEqual(models.calls, [{
    action: "promote",
    version: "v2",
    actor: { keyId: "", reason: "better AUC" },
  }]);
  const list = await getPage(t.app, "/monitor/models?done=promote");
  assert.match(list.html, /data-testid="done"/);
  assert.match(list.html, /<tr\s+data-action="promote">.*?better AUC/s);

  assert.equal((await postForm(t.app, "/monitor/models/rollback", {})).status, 303);
  assert.equal(
    models.versions.find((v) => v.role === "champion")?.version,
    t.model.meta.model_version,
  );
  // Refusals of the admin keep their status on the site's error page.
  assert.equal((await postForm(t.app, "/monitor/models/rollback", {})).status, 409);
  assert.equal((await postForm(t.app, "/monitor/models/nope/promote", {})).status, 404);
  assert.equal((await getPage(t.app, "/monitor/models/compare/nope")).status, 404);
  const long = await postForm(t.app, "/monitor/models/v2/promote", { reason: "x".repeat(501) });
  assert.equal(long.status, 422);
  assert.equal(models.calls.length, 4, "the over-long reason never reached the admin");
});

Deno.test("with keys, promoting needs the admin session's CSRF token and records the key id", async () => {
  const models = createFakeModelAdmin([]);
  await using t = await createSiteTestApp({
    now: () => NOW,
    config: { adminKeys: [ADMIN] },
    site: { models },
  });
  models.versions.push(
    versionInfo(t.model.meta.model_version, "champion"),
    versionInfo("v2", "shadow"),
  );
  const anonymous = await postForm(t.app, "/monitor/models/v2/promote", {});
  assert.equal(anonymous.status, 303);
  assert.match(anonymous.headers.get("location")!, /^\/monitor\/login/);
  const { cookie, csrf } = await logIn(t.app, ADMIN);
  const forged = await postForm(t.app, "/monitor/models/v2/promote", {}, { headers: { cookie } });
  assert.equal(forged.status, 403);
  assert.equal(models.calls.length, 0);
  const page = await getPage(t.app, "/monitor/models/compare/v2", { headers: { cookie } });
  assert.match(page.html, new RegExp(`name="_csrf" value="${csrf}"`));
  const ok = await postForm(t.app, "/monitor/models/v2/promote", { _csrf: csrf, reason: "go" }, {
    headers: { cookie },
  });
  assert.equal(ok.status, 303);
  assert.equal(models.calls[0].actor.reason, "go");
  assert.match(models.calls[0].actor.keyId, /\S/);
});

Deno.test("performance per version: a selector, and the rows a shadow scored with its own scores", async () => {
  const models = createFakeModelAdmin([]);
  await using t = await createSiteTestApp({ now: () => NOW, site: { models } });
  await servePair(t, models);
  const all = await getPage(t.app, "/monitor/performance?window=1h");
  assert.match(all.html, /data-testid="version-picker"/);
  assert.match(all.html, /href="\/monitor\/performance\?window=1h&amp;version=v2"/);
  const v2 = await getPage(t.app, "/monitor/performance?window=1h&version=v2");
  assert.equal(v2.status, 200);
  assert.match(v2.html, /data-testid="version-scope"/);
  assert.match(v2.html, /data-testid="n-predictions">40</);
  assert.match(v2.html, /data-testid="n-labelled">20</);
  const json = await (await t.app.request("/monitor/api/performance?window=1h&version=v2")).json();
  // The challenger rejects 10 ≤ i < 30: 10 of the 20 labelled (even) rows.
  assert.equal(json.realised.flagged_rate, 0.5);
});

Deno.test("drift per version: recomputed against the version's own reference, kept apart", async () => {
  const models = createFakeModelAdmin([]);
  let artifacts = false;
  await using t = await createSiteTestApp({
    now: () => NOW,
    site: {
      models,
      drift: { minIntervalMs: 0 },
      modelArtifacts: (v) =>
        artifacts && (v === "v2" || v === "v3")
          ? { meta: { ...t.model.meta, model_version: v }, referencePath: t.referencePath }
          : undefined,
    },
  });
  const champion = await servePair(t, models);
  const refused = await postForm(t.app, "/monitor/drift", { scope: "24h", version: "v2" });
  assert.equal(refused.status, 409);
  assert.match(refused.html, /no artifacts of model v2/);

  artifacts = true;
  const done = await postForm(t.app, "/monitor/drift", { scope: "24h", version: "v2" });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get("location"), "/monitor/drift?computed=1&version=v2");
  const page = await getPage(t.app, "/monitor/drift?version=v2");
  assert.match(page.html, /data-testid="version-scope"/);
  assert.match(page.html, /data-testid="n-production">40</);
  assert.match(page.html, /<input type="hidden" name="version" value="v2"/);
  // The stored latest report (the whole log's, the overview's) is untouched.
  assert.equal(await t.store.reports.latest(), undefined);
  assert.match((await getPage(t.app, "/monitor/drift")).html, /data-testid="no-report"/);

  const idle = await postForm(t.app, "/monitor/drift", { scope: "24h", version: "v3" });
  assert.equal(idle.status, 409, "v3 scored nothing");
  assert.match(idle.html, /No predictions in the selected window/);

  const own = await postForm(t.app, "/monitor/drift", { scope: "24h", version: champion });
  assert.equal(own.status, 303, "the served model's version uses the site's reference");
});
