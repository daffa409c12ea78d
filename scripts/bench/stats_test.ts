import assert from "node:assert/strict";
import { fmt, markdownTable, median, quantileSorted, timePerCall } from "./stats.ts";

Deno.test("quantileSorted interpolates (type 7); median skips missing values", () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([0, 10], 0.99), 9.9);
  assert.ok(Number.isNaN(quantileSorted([], 0.5)));
  assert.equal(median([3, null, 1, undefined, 2, NaN]), 2);
});

Deno.test("fmt and markdownTable", () => {
  assert.deepEqual([fmt(12345.6), fmt(0.012345), fmt(null), fmt(NaN)], [
    "12346",
    "0.0123",
    "–",
    "–",
  ]);
  assert.equal(
    markdownTable(["a", "bb"], [["xyz", "1"]]),
    "| a   | bb |\n| --- | -- |\n| xyz | 1  |",
  );
});

Deno.test("timePerCall times every function, awaiting promises", async () => {
  let calls = 0;
  const us = await timePerCall({ a: () => calls++, b: () => Promise.resolve() }, { reps: 2, n: 5 });
  assert.equal(calls, 15, "a warm-up round and 2 measured rounds of 5");
  assert.ok(us.a >= 0 && us.b >= 0);
});
