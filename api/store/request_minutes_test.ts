import assert from "node:assert/strict";
import { LATENCY_BUCKET_COUNT } from "./histograms.ts";
import { openStore } from "./mod.ts";
import {
  createRequestMinuteWriter,
  type RequestMinute,
  requestSeries,
  requestTotalsByRoute,
  statusClassOf,
} from "./request_minutes.ts";

const buckets = (k: number, n: number) => {
  const b = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  b[k] = n;
  return b;
};

const delta = (minute: number, route: string, cls: 2 | 4 | 5, n: number, k = 2): RequestMinute => ({
  minute,
  route,
  statusClass: cls,
  n,
  sumMs: n * 3,
  maxMs: 4 + n,
  buckets: buckets(k, n),
});

Deno.test("statusClassOf groups statuses by their hundreds", () => {
  assert.deepEqual([101, 200, 204, 304, 404, 422, 500, 503].map(statusClassOf), [
    2,
    2,
    2,
    3,
    4,
    4,
    5,
    5,
  ]);
});

Deno.test("deltas add up per minute × route × class", async () => {
  const store = openStore(":memory:");
  const write = createRequestMinuteWriter(store.db);
  write([delta(100, "POST /predict", 2, 3), delta(100, "POST /predict", 4, 1)]);
  write([delta(100, "POST /predict", 2, 2, 5), delta(101, "GET /health", 2, 7)]);
  const totals = requestTotalsByRoute(store.db);
  assert.deepEqual(totals.map((t) => [t.route, t.statusClass, t.n]), [
    ["GET /health", 2, 7],
    ["POST /predict", 2, 5],
    ["POST /predict", 4, 1],
  ]);
  const ok = totals[1];
  assert.equal(ok.sumMs, 15);
  assert.equal(ok.maxMs, 7);
  assert.deepEqual(ok.buckets, buckets(2, 3).map((v, i) => v + buckets(5, 2)[i]));

  assert.equal(requestTotalsByRoute(store.db, { fromMinute: 101 }).length, 1);
  assert.equal(requestTotalsByRoute(store.db, { routes: ["GET /health"] })[0].n, 7);
  assert.deepEqual(requestTotalsByRoute(store.db, { routes: [] }), []);

  const series = requestSeries(store.db, { bucketMinutes: 2 });
  assert.deepEqual(series.map((s) => [s.minute, s.statusClass, s.n]), [[100, 2, 12], [100, 4, 1]]);
  const byRoute = requestSeries(store.db, { bucketMinutes: 1, byRoute: true });
  assert.deepEqual(byRoute.map((s) => [s.minute, s.route, s.statusClass, s.n]), [
    [100, "POST /predict", 2, 5],
    [100, "POST /predict", 4, 1],
    [101, "GET /health", 2, 7],
  ]);
  await store.close();
});

Deno.test("a failed write leaves nothing behind", async () => {
  const store = openStore(":memory:");
  const write = createRequestMinuteWriter(store.db);
  assert.throws(
    () => write([delta(1, "a", 2, 1), { ...delta(2, "b", 2, 1), buckets: [1] }]),
    RangeError,
  );
  assert.deepEqual(requestTotalsByRoute(store.db), []);
  await store.close();
});
