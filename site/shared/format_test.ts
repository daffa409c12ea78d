import assert from "node:assert/strict";
import fc from "fast-check";
import { formatBytes, NONE } from "./format.ts";

Deno.test("byte sizes use binary units with one decimal", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(70 * 1024 * 1024), "70.0 MiB");
  assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GiB");
  assert.equal(formatBytes(null), NONE);
  assert.equal(formatBytes(NaN), NONE);
});

Deno.test("a formatted size reads back within the rounding of its unit", () => {
  const factor = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 50 }), (n) => {
      const [value, unit] = formatBytes(n).split(" ");
      const back = Number(value) * factor[unit as keyof typeof factor];
      assert.ok(Math.abs(back - n) <= 0.05 * factor[unit as keyof typeof factor] + 0.5, `${n}`);
      assert.ok(Number(value) < 1024 || unit === "TiB");
    }),
  );
});
