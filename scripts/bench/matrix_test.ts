import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { ThroughputResult } from "./measure.ts";
import {
  matrixTable,
  roundOrder,
  selectVariants,
  summariseVariant,
  type VariantRound,
  VARIANTS,
} from "./matrix.ts";

Deno.test("selectVariants keeps the given order and rejects unknown ids", () => {
  assert.deepEqual(selectVariants("d, a").map((v) => v.id), ["d", "a"]);
  assert.equal(selectVariants(undefined).length, VARIANTS.length);
  assert.throws(() => selectVariants("a,z"), /unknown variant z/);
});

Deno.test("the straightforward variant switches every optimisation off; c is the defaults", () => {
  const [a, , c, d] = VARIANTS;
  assert.deepEqual(a.env, { LOG_WRITER: "inline", LOG_MAX_ROWS: "1", SCORE_COALESCE: "0" });
  assert.deepEqual(c.env, {});
  assert.deepEqual(d.env, { LOG_WRITER: "worker" });
});

Deno.test("roundOrder: every round is a permutation; over n rounds each item leads once", () => {
  fc.assert(
    fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (items) => {
      const firsts = items.map((_, r) => roundOrder(items, r)[0]);
      for (let r = 0; r < items.length; r++) {
        assert.deepEqual([...roundOrder(items, r)].sort(), [...items].sort());
      }
      assert.deepEqual([...firsts].sort(), [...items].sort());
    }),
  );
});

const thr = (rps: number, extra: Partial<ThroughputResult> = {}): ThroughputResult => ({
  generator: "wrk",
  concurrency: 32,
  durationS: 8,
  requests: rps * 8,
  requestsPerS: rps,
  statusErrors: 0,
  socketErrors: 0,
  latencyMs: { min: 1, mean: 1, p50: 1, p95: 1, p99: 2, max: 3 },
  rowsPerRequest: 1,
  rowsPerS: rps,
  server: null,
  ...extra,
});

const round = (r: number, hello: number, predict: number, errors = 0): VariantRound => ({
  round: r,
  coldStartMs: 1000 + r,
  readyLogMs: 500,
  hello: thr(hello),
  predict: thr(predict, { statusErrors: errors }),
  sequential: { requests: 10, errors: 0, rowsPerRequest: 1, client: null, server: null },
});

Deno.test("summariseVariant: the median of per-round ratios to the adjacent hello run", () => {
  // ratios 0.1, 0.25, 0.2 → median 0.2 (not 3000 / 20000 = 0.15 from separate medians)
  const s = summariseVariant(VARIANTS[2], [
    round(0, 10_000, 1000),
    round(1, 20_000, 5000, 2),
    round(2, 30_000, 6000, 1),
  ]);
  assert.equal(s.vsHello, 0.2);
  assert.equal(s.requestsPerS, 5000);
  assert.equal(s.helloRequestsPerS, 20_000);
  assert.equal(s.coldStartMs, 1001);
  assert.equal(s.errors, 3);
  assert.ok(Number.isNaN(s.serverP50Ms)); // no histogram in these runs
  const table = matrixTable([s], 32);
  assert.match(table, /\| \(c\) \+ coalesced ONNX runs/);
  assert.match(table, /\| defaults /);
  assert.match(table, /\| –/); // NaN shown as a dash
});
