/**
 * The monitoring site on a PostgreSQL audit log: every page reads it, and
 * the drift recompute — on a worker thread that opens `store.target`, the
 * URL, with a connection of its own — finds the drift and stores the report
 * in PostgreSQL, where every replica's site reads it.
 */
import assert from "node:assert/strict";
import type { Features } from "../api/scoring/feature_vector.ts";
import { createTempPostgresStore, POSTGRES_SKIP } from "../api/testing/temp_store.ts";
import { getPage, postForm } from "./testing/http.ts";
import { createSiteTestApp, scoredRecords } from "./testing/site_test_kit.ts";

const NOW = new Date("2026-03-01T12:00:00.000Z");

Deno.test({
  name: "postgres: the site's pages and its drift recompute work on a PostgreSQL log",
  ignore: POSTGRES_SKIP !== undefined,
  async fn() {
    await using pg = await createTempPostgresStore();
    await using t = await createSiteTestApp({ now: () => NOW, wrapStore: () => pg.store });
    const rows: Features[] = t.rows.map((r) => ({
      ...r,
      Income: typeof r.Income === "number" ? r.Income * 4 : r.Income,
    }));
    await pg.store.append({
      rows: await scoredRecords(t.model, rows, { ts: () => NOW.toISOString() }),
    });
    assert.equal(await t.store.predictions.count(), 0, "nothing went to the SQLite file");

    const post = await postForm(t.app, "/monitor/drift", { scope: "1h" });
    assert.equal(post.status, 303);
    const drift = await getPage(t.app, "/monitor/drift?computed=1");
    assert.equal(drift.status, 200);
    assert.match(drift.html, /data-testid="n-production">400</);
    assert.match(
      drift.html.match(/<tr\s+data-feature="Income".*?<\/tr>/s)?.[0] ?? "",
      /badge verdict-(high|severe)/,
    );
    const stored = await pg.store.reports.latest();
    assert.ok(stored, "the report is stored in PostgreSQL");
    assert.equal(stored.source, "site");

    for (const path of ["/monitor", "/monitor/predictions", "/monitor/performance"]) {
      const page = await getPage(t.app, `${path}?window=1h`);
      assert.equal(page.status, 200, path);
    }
    const newest = (await pg.store.predictions.list({ limit: 1 }))[0];
    const list = await getPage(t.app, "/monitor/predictions?window=1h");
    assert.ok(list.html.includes(newest.request_id), "the log browser lists PostgreSQL's rows");
  },
});
