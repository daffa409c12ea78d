import { deepEqual, equal, ok } from "node:assert/strict";
import { compareRates } from "./rate_change.ts";

const near = (a: number | null, b: number, tol = 1e-9) =>
  ok(a !== null && Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

Deno.test("compareRates: a material and clear change alerts (hand-computed z)", () => {
  const r = compareRates({ count: 10, total: 100 }, { count: 30, total: 100 }, { threshold: 0.05 });
  near(r.ref, 0.1);
  near(r.prod, 0.3);
  near(r.delta, 0.2);
  // pooled 0.2, se = sqrt(0.2 · 0.8 · (1/100 + 1/100)) = sqrt(0.0032)
  near(r.z, 0.2 / Math.sqrt(0.0032));
  equal(r.alert, true);
});

Deno.test("compareRates: the same change on 10 rows per side is noise (|z| < 3)", () => {
  const r = compareRates({ count: 1, total: 10 }, { count: 3, total: 10 }, { threshold: 0.05 });
  near(r.delta, 0.2);
  ok(Math.abs(r.z as number) < 3);
  equal(r.alert, false);
});

Deno.test("compareRates: a clear but immaterial change does not alert", () => {
  const r = compareRates({ count: 1000, total: 10000 }, { count: 1300, total: 10000 }, {
    threshold: 0.05,
  });
  ok((r.z as number) > 3);
  equal(r.alert, false);
});

Deno.test("compareRates: a decrease alerts like an increase; minZ is configurable", () => {
  const down = compareRates({ count: 30, total: 100 }, { count: 10, total: 100 }, {
    threshold: 0.05,
  });
  equal(down.alert, true);
  ok((down.z as number) < 0);
  const strict = compareRates({ count: 10, total: 100 }, { count: 30, total: 100 }, {
    threshold: 0.05,
    minZ: 4,
  });
  equal(strict.alert, false);
});

Deno.test("compareRates: no rows on a side gives null statistics and no alert", () => {
  deepEqual(compareRates({ count: 1, total: 4 }, { count: 0, total: 0 }, { threshold: 0.05 }), {
    ref: 0.25,
    prod: null,
    delta: null,
    z: null,
    alert: false,
  });
});

Deno.test("compareRates: equal degenerate rates (all or none) have z = 0", () => {
  const r = compareRates({ count: 0, total: 50 }, { count: 0, total: 80 }, { threshold: 0.05 });
  equal(r.z, 0);
  equal(r.alert, false);
});
