import assert from "node:assert/strict";
import fc from "fast-check";
import type { CostMatrix } from "../../api/scoring/model_meta.ts";
import { confusionAt, costOf } from "../../monitoring/classification_metrics.ts";
import { bayesThreshold, chooseThreshold, shortestDecimalIn } from "./threshold.ts";

const COSTS: CostMatrix = {
  false_negative: 10,
  false_positive: 1,
  true_positive: 0,
  true_negative: 0,
};

Deno.test("bayesThreshold is c_FP / (c_FP + c_FN) without costs for correct decisions", () => {
  assert.equal(bayesThreshold(COSTS), 1 / 11);
  assert.equal(bayesThreshold({ ...COSTS, false_negative: 1 }), 0.5);
});

Deno.test("shortestDecimalIn picks the fewest digits, then the middle", () => {
  assert.equal(shortestDecimalIn(0.1, 0.2), 0.2);
  assert.equal(shortestDecimalIn(0.0812, 0.0957), 0.09);
  assert.equal(shortestDecimalIn(0.11, 0.19), 0.15);
  assert.equal(shortestDecimalIn(0.123456, 0.123457), 0.123457);
  assert.throws(() => shortestDecimalIn(0.2, 0.2), RangeError);
});

Deno.test("shortestDecimalIn stays inside (lower, upper] (property)", () => {
  const pair = fc.tuple(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
    .filter(([a, b]) => a < b);
  fc.assert(fc.property(pair, ([lower, upper]) => {
    const t = shortestDecimalIn(lower, upper);
    assert.ok(lower < t && t <= upper, `${t} not in (${lower}, ${upper}]`);
  }));
});

Deno.test("chooseThreshold flags the cost-minimising rows (hand-computed)", () => {
  // flag none: 30; ≥0.9: 20; ≥0.6: 21; ≥0.5: 11; ≥0.2: 1; ≥0.1: 2 → optimum (0.1, 0.2]
  const oof = { labels: [1, 0, 1, 0, 1], scores: [0.9, 0.6, 0.5, 0.1, 0.2] };
  const decision = chooseThreshold(oof, COSTS);
  assert.equal(decision.threshold, 0.2);
  assert.equal(decision.cost, 1);
  assert.equal(costOf(confusionAt(oof, decision.threshold), COSTS), 1);
  assert.deepEqual([decision.lower, decision.upper], [0.1, 0.2]);
  assert.equal(decision.bayes_threshold, 1 / 11);
  assert.equal(decision.bayes_threshold_cost, 2); // 1/11 flags every row: 2 FP
});

Deno.test("chooseThreshold keeps the threshold inside (0, 1)", () => {
  // Flagging nothing is optimal: any threshold above 0.6 (and below 1) will do.
  const none = chooseThreshold({ labels: [0, 0], scores: [0.4, 0.6] }, COSTS).threshold;
  assert.ok(none > 0.6 && none < 1, `threshold ${none}`);
  // Only flagging scores of 0 is optimal: no threshold in (0, 1) does that.
  assert.throws(
    () => chooseThreshold({ labels: [1, 1], scores: [0, 0] }, COSTS),
    /no threshold in \(0, 1\)/,
  );
});
