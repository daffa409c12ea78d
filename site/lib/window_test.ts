import assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_WINDOW, MAX_BUCKETS, parseWindow, windowRange, WINDOWS } from "./window.ts";

const NOW = new Date("2026-03-01T12:34:56.000Z");
const nowMinute = Math.floor(NOW.getTime() / 60_000);

Deno.test("parseWindow: known keys, default for anything else", () => {
  for (const w of WINDOWS) assert.equal(parseWindow(w.key), w);
  for (const v of [undefined, null, "", "2h", "ALL", "<script>"]) {
    assert.equal(parseWindow(v), DEFAULT_WINDOW);
  }
});

Deno.test("fixed windows cover exactly their minutes, buckets tile them", () => {
  for (const w of WINDOWS.filter((w) => w.minutes !== null)) {
    const r = windowRange(w, NOW);
    assert.equal(r.nowMinute, nowMinute);
    assert.equal(r.nowMinute - r.fromMinute! + 1, w.minutes);
    assert.equal(r.since, new Date(r.fromMinute! * 60_000).toISOString());
    assert.ok(r.bucketStarts[0] <= r.fromMinute!);
    assert.ok(r.bucketStarts[0] + r.bucketMinutes > r.fromMinute!);
    assert.ok(
      r.bucketStarts.at(-1)! <= nowMinute && r.bucketStarts.at(-1)! + r.bucketMinutes > nowMinute,
    );
    r.bucketStarts.forEach((m) => assert.equal(m % r.bucketMinutes, 0));
    assert.ok(r.bucketStarts.length <= MAX_BUCKETS + 1);
  }
});

Deno.test("'all' starts at the first logged minute and keeps the chart small", () => {
  const all = WINDOWS.find((w) => w.key === "all")!;
  assert.equal(windowRange(all, NOW).fromMinute, undefined);
  assert.deepEqual(windowRange(all, NOW).bucketStarts, []);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: nowMinute }), (first) => {
      const r = windowRange(all, NOW, first);
      assert.equal(r.fromMinute, first);
      assert.ok(r.bucketStarts.length >= 1 && r.bucketStarts.length <= MAX_BUCKETS + 1);
      assert.ok(r.bucketStarts[0] <= first && r.bucketStarts.at(-1)! <= nowMinute);
    }),
  );
});
