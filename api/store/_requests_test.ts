import assert from "node:assert/strict";
import { LATENCY_BUCKET_COUNT } from "./histograms.ts";
import { type RequestMinute, statusClassOf } from "./mod.ts";
import { storeTest } from "../testing/temp_store.ts";

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

storeTest("deltas add up per minute × route × class", async (t) => {
  const requests = t.store.requests;
  await requests.add([delta(100, "POST /predict", 2, 3), delta(100, "POST /predict", 4, 1)]);
  await requests.add([delta(100, "POST /predict", 2, 2, 5), delta(101, "GET /health", 2, 7)]);
  const totals = await requests.totalsByRoute();
  assert.deepEqual(totals.map((t) => [t.route, t.statusClass, t.n]), [
    ["GET /health", 2, 7],
    ["POST /predict", 2, 5],
    ["POST /predict", 4, 1],
  ]);
  const ok = totals[1];
  assert.equal(ok.sumMs, 15);
  assert.equal(ok.maxMs, 7);
  assert.deepEqual(ok.buckets, buckets(2, 3).map((v, i) => v + buckets(5, 2)[i]));

  assert.equal((await requests.totalsByRoute({ fromMinute: 101 })).length, 1);
  assert.equal((await requests.totalsByRoute({ routes: ["GET /health"] }))[0].n, 7);
  assert.deepEqual(await requests.totalsByRoute({ routes: [] }), []);
  assert.equal(await requests.firstMinute(), 100);

  const series = await requests.series({ bucketMinutes: 2 });
  assert.deepEqual(series.map((s) => [s.minute, s.statusClass, s.n]), [[100, 2, 12], [100, 4, 1]]);
  const byRoute = await requests.series({ bucketMinutes: 1, byRoute: true });
  assert.deepEqual(byRoute.map((s) => [s.minute, s.route, s.statusClass, s.n]), [
    [100, "POST /predict", 2, 5],
    [100, "POST /predict", 4, 1],
    [101, "GET /health", 2, 7],
  ]);
});

storeTest("a malformed delta writes nothing at all", async (t) => {
  await assert.rejects(
    t.store.requests.add([delta(1, "a", 2, 1), { ...delta(2, "b", 2, 1), buckets: [1] }]),
    RangeError,
  );
  assert.deepEqual(await t.store.requests.totalsByRoute(), []);
  assert.equal(await t.store.requests.firstMinute(), null);
});
