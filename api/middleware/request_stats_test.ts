import assert from "node:assert/strict";
import { type ErrorHandler, Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import fc from "fast-check";
import { openStore, type RequestMinute } from "../store/mod.ts";
import { createRequestAggregator } from "../metrics/request_aggregator.ts";
import { frontDoor } from "./front_door.ts";
import { createRequestStats, type RequestStats } from "./request_stats.ts";

const MINUTE = 29_000_000;

/** An app whose front door records into `stats` (the way the API counts requests). */
function appWith(stats: Pick<RequestStats, "record">) {
  const onError: ErrorHandler<AppEnv> = (_err, c) => c.text("error", 500);
  const app = new Hono<AppEnv>();
  app.use(frontDoor({ stats, newRequestId: () => "id", noStorePaths: [], guards: [], onError }));
  const sub = new Hono<AppEnv>();
  sub.get("/items/:id", (c) => c.text(c.req.param("id")));
  sub.post("/fail", () => {
    throw new Error("boom");
  });
  app.route("/api", sub);
  app.post("/predict", (c) => c.json({ error: "invalid" }, 422));
  app.onError(onError);
  return app;
}

Deno.test("requests are counted per route pattern and status class, errors included", async () => {
  const store = await openStore(":memory:");
  const stats = createRequestStats(store.requests, {
    flushIntervalMs: 0,
    now: () => MINUTE * 60_000 + 5,
  });
  const app = appWith(stats);
  for (const id of ["1", "2", "<x>"]) await (await app.request(`/api/items/${id}`)).text();
  await (await app.request("/predict", { method: "POST" })).text();
  await (await app.request("/api/fail", { method: "POST" })).text();
  await (await app.request("/nowhere")).text();
  await (await app.request("/also/nowhere")).text();
  assert.equal((await store.requests.totalsByRoute()).length, 0, "nothing written before a flush");
  await stats.flush();
  assert.equal(stats.pending, 0);
  const rows = await store.requests.totalsByRoute();
  assert.deepEqual(rows.map((r) => [r.route, r.statusClass, r.n]), [
    ["(unmatched)", 4, 2],
    ["GET /api/items/:id", 2, 3],
    ["POST /api/fail", 5, 1],
    ["POST /predict", 4, 1],
  ]);
  for (const r of rows) {
    assert.equal(r.buckets.reduce((a, b) => a + b, 0), r.n);
    assert.ok(r.sumMs >= 0 && r.maxMs <= r.sumMs + 1e-9);
  }
  assert.ok(rows.every((r) => r.minute === 0));
  assert.equal(await store.requests.firstMinute(), MINUTE);
  await stats.close();
  await store.close();
});

Deno.test("a failed flush keeps the counters for the next one; close flushes", async () => {
  const written: RequestMinute[] = [];
  let failing = true;
  const errors: unknown[] = [];
  const stats = createRequestStats({
    add(deltas) {
      if (failing) return Promise.reject(new Error("database is locked"));
      written.push(...deltas);
      return Promise.resolve();
    },
  }, { flushIntervalMs: 0, onFlushError: (e) => errors.push(e) });
  const app = appWith(stats);
  await (await app.request("/api/items/1")).text();
  await stats.flush();
  assert.equal(errors.length, 1);
  assert.equal(stats.pending, 1);
  failing = false;
  await (await app.request("/api/items/2")).text();
  await stats.close();
  assert.equal(written.reduce((n, d) => n + d.n, 0), 2);
  stats.record({ route: "GET /x", status: 200, ms: 1 });
  await stats.flush(); // after close: a no-op, not an error
  assert.equal(errors.length, 1);
  assert.equal(written.reduce((n, d) => n + d.n, 0), 2);
});

Deno.test("the flush timer does not keep the process alive and stops on close", async () => {
  const store = await openStore(":memory:");
  const stats = createRequestStats(store.requests, { flushIntervalMs: 60_000 });
  stats.record({ route: "GET /x", status: 200, ms: 1 });
  await stats.close();
  assert.equal((await store.requests.totalsByRoute())[0].n, 1);
  await store.close();
});

Deno.test("aggregator: drained deltas hold every sample; merge restores them", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          minute: fc.integer({ min: 0, max: 3 }),
          route: fc.constantFrom("a", "b"),
          status: fc.constantFrom(200, 301, 404, 422, 500),
          ms: fc.double({ min: 0, max: 10_000, noNaN: true }),
        }),
        { maxLength: 100 },
      ),
      (samples) => {
        const agg = createRequestAggregator();
        for (const s of samples) agg.add(s);
        const first = agg.drain();
        assert.equal(agg.size, 0);
        assert.equal(first.reduce((a, d) => a + d.n, 0), samples.length);
        const maxMs = samples.reduce((m, s) => Math.max(m, s.ms), 0);
        assert.equal(first.reduce((m, d) => Math.max(m, d.maxMs), 0), maxMs);
        agg.merge(first);
        agg.merge(first);
        const doubled = agg.drain();
        assert.equal(doubled.reduce((a, d) => a + d.n, 0), 2 * samples.length);
        assert.equal(doubled.length, first.length);
      },
    ),
  );
});
