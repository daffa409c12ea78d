import assert from "node:assert/strict";
import fc from "fast-check";
import { addCounts, alignBuckets, ratio, rollingRatio } from "./series.ts";

Deno.test("alignBuckets places rows on the grid, gaps stay undefined", () => {
  const rows = [{ minute: 10, n: 1 }, { minute: 30, n: 3 }];
  assert.deepEqual(alignBuckets([0, 10, 20, 30], rows), [undefined, rows[0], undefined, rows[1]]);
});

Deno.test("rollingRatio equals the ratio of sums over the last k buckets", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(50), fc.nat(50)), { maxLength: 40 }),
      fc.integer({ min: 1, max: 8 }),
      (pairs, k) => {
        const den = pairs.map(([a, b]) => a + b);
        const num = pairs.map(([a]) => a);
        const got = rollingRatio(num, den, k);
        got.forEach((v, i) => {
          const lo = Math.max(0, i - k + 1);
          const sNum = num.slice(lo, i + 1).reduce((a, b) => a + b, 0);
          const sDen = den.slice(lo, i + 1).reduce((a, b) => a + b, 0);
          if (sDen === 0) assert.equal(v, null);
          else assert.ok(Math.abs(v! - sNum / sDen) < 1e-12);
        });
      },
    ),
  );
});

Deno.test("ratio and addCounts", () => {
  assert.equal(ratio(1, 0), null);
  assert.equal(ratio(1, 4), 0.25);
  assert.deepEqual(addCounts([1, 2], [3, 4]), [4, 6]);
});
