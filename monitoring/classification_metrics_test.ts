import assert from "node:assert/strict";
import fc from "fast-check";
import type { CostMatrix } from "../api/scoring/model_meta.ts";
import {
  brierScore,
  confusionAt,
  costOf,
  evaluateClassifier,
  flaggedRate,
  logLoss,
  minCostThreshold,
  positiveRate,
  rocAuc,
} from "./classification_metrics.ts";

const COSTS: CostMatrix = {
  false_negative: 10,
  false_positive: 1,
  true_positive: 0,
  true_negative: 0,
};

const close = (actual: number, expected: number, tol = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

/** Reference AUC: share of (positive, negative) pairs ordered correctly, ties ½. */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  labels.forEach((yi, i) => {
    if (yi !== 1) return;
    labels.forEach((yj, j) => {
      if (yj !== 0) return;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

Deno.test("rocAuc counts correctly ordered pairs (3 of 4)", () => {
  close(rocAuc({ labels: [1, 0, 1, 0], scores: [0.9, 0.8, 0.4, 0.3] }), 0.75);
});

Deno.test("rocAuc counts a tie between classes as one half", () => {
  // pairs: (0.5, 0.5) = ½, (0.5, 0.2) = 1, (0.7, 0.5) = 1, (0.7, 0.2) = 1 → 3.5 / 4
  close(rocAuc({ labels: [1, 0, 1, 0], scores: [0.5, 0.5, 0.7, 0.2] }), 0.875);
  close(rocAuc({ labels: [1, 0, 0, 1], scores: [0.3, 0.3, 0.3, 0.3] }), 0.5);
});

Deno.test("rocAuc is NaN when a class is absent", () => {
  assert.ok(Number.isNaN(rocAuc({ labels: [1, 1], scores: [0.2, 0.4] })));
  assert.ok(Number.isNaN(rocAuc({ labels: [], scores: [] })));
});

Deno.test("rocAuc rejects labels and scores of different lengths", () => {
  assert.throws(() => rocAuc({ labels: [1, 0], scores: [0.5] }), RangeError);
});

Deno.test("rocAuc equals the pairwise count and flips with the scores (property)", () => {
  const rows = fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 6 })), {
    minLength: 2,
    maxLength: 40,
  }).filter((r) => r.some(([y]) => y === 1) && r.some(([y]) => y === 0));
  fc.assert(fc.property(rows, (r) => {
    const labels = r.map(([y]) => y);
    const scores = r.map(([, s]) => s / 6); // few distinct values: many ties
    const auc = rocAuc({ labels, scores });
    close(auc, pairwiseAuc(labels, scores), 1e-12);
    close(rocAuc({ labels, scores: scores.map((s) => 1 - s) }), 1 - auc, 1e-12);
  }));
});

Deno.test("brierScore is the mean squared error", () => {
  // ((0.8 - 1)² + (0.4 - 0)²) / 2 = (0.04 + 0.16) / 2
  close(brierScore({ labels: [1, 0], scores: [0.8, 0.4] }), 0.1);
});

Deno.test("logLoss is the mean negative log-likelihood, clipped", () => {
  close(logLoss({ labels: [1, 0], scores: [0.8, 0.4] }), -(Math.log(0.8) + Math.log(0.6)) / 2);
  close(logLoss({ labels: [1], scores: [0] }), -Math.log(1e-15), 1e-9);
  close(logLoss({ labels: [0], scores: [1] }), -Math.log(1e-15), 1e-3);
  assert.ok(Number.isFinite(logLoss({ labels: [1, 0], scores: [0, 1] })));
});

const FIVE = { labels: [1, 0, 1, 0, 1], scores: [0.9, 0.6, 0.5, 0.1, 0.2] };

Deno.test("confusionAt flags scores at or above the threshold", () => {
  assert.deepEqual(confusionAt(FIVE, 0.5), {
    truePositive: 2,
    falsePositive: 1,
    trueNegative: 1,
    falseNegative: 1,
  });
  assert.equal(costOf(confusionAt(FIVE, 0.5), COSTS), 11);
  close(flaggedRate(FIVE.scores, 0.5), 3 / 5);
  close(positiveRate(FIVE.labels), 3 / 5);
});

Deno.test("minCostThreshold finds the cheapest interval (hand-computed)", () => {
  // flag none: 3 FN = 30; ≥0.9: 20; ≥0.6: 21; ≥0.5: 11; ≥0.2: 1 FP = 1; ≥0.1: 2 FP = 2
  assert.deepEqual(minCostThreshold(FIVE, COSTS), { lower: 0.1, upper: 0.2, cost: 1, flagged: 4 });
});

Deno.test("minCostThreshold treats equal scores as one group", () => {
  const data = { labels: [1, 0, 0], scores: [0.5, 0.5, 0.1] };
  assert.deepEqual(minCostThreshold(data, COSTS), { lower: 0.1, upper: 0.5, cost: 1, flagged: 2 });
});

Deno.test("minCostThreshold prefers flagging fewer rows on equal cost", () => {
  const even = { ...COSTS, false_negative: 1 };
  // none flagged: 1 FN = 1; flag 0.9: FN + FP = 2; flag all: 1 FP = 1
  assert.deepEqual(
    minCostThreshold({ labels: [0, 1], scores: [0.9, 0.1] }, even),
    { lower: 0.9, upper: Infinity, cost: 1, flagged: 0 },
  );
});

Deno.test("minCostThreshold beats or ties every single threshold (property)", () => {
  const rows = fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 20 })), {
    minLength: 1,
    maxLength: 30,
  });
  const costs = fc.record({
    false_negative: fc.integer({ min: 0, max: 10 }),
    false_positive: fc.integer({ min: 0, max: 10 }),
    true_positive: fc.integer({ min: 0, max: 3 }),
    true_negative: fc.integer({ min: 0, max: 3 }),
  });
  fc.assert(fc.property(rows, costs, (r, cm) => {
    const data = { labels: r.map(([y]) => y), scores: r.map(([, s]) => s / 20) };
    const best = minCostThreshold(data, cm);
    assert.equal(costOf(confusionAt(data, best.upper), cm), best.cost);
    assert.equal(
      confusionAt(data, best.upper).truePositive +
        confusionAt(data, best.upper).falsePositive,
      best.flagged,
    );
    assert.ok(best.lower < best.upper);
    for (const t of [...data.scores, Infinity]) {
      assert.ok(costOf(confusionAt(data, t), cm) >= best.cost);
    }
  }));
});

Deno.test("evaluateClassifier reports every metric at the threshold", () => {
  const m = evaluateClassifier(FIVE, { threshold: 0.5, costs: COSTS });
  assert.equal(m.n_rows, 5);
  close(m.default_rate, 0.6);
  close(m.roc_auc, pairwiseAuc(FIVE.labels, FIVE.scores));
  close(m.brier, brierScore(FIVE));
  close(m.log_loss, logLoss(FIVE));
  assert.equal(m.cost, 11);
  close(m.flagged_rate, 0.6);
  assert.deepEqual(m.confusion, {
    true_positive: 2,
    false_positive: 1,
    true_negative: 1,
    false_negative: 1,
  });
});
