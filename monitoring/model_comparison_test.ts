import assert from "node:assert/strict";
import fc from "fast-check";
import type { PairCell, PairedOutcome } from "../api/store/mod.ts";
import { brierScore, rocAuc } from "./classification_metrics.ts";
import {
  compareModels,
  pairedDeLong,
  realisedComparison,
  wilsonInterval,
} from "./model_comparison.ts";

const COSTS = { false_negative: 5, false_positive: 1, true_positive: 0, true_negative: 0 };
const close = (actual: number | null | undefined, expected: number, tol = 1e-9) =>
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) <= tol,
    `${actual} ≉ ${expected}`,
  );

// Three defaults, two repaid. Worked by hand below.
const LABELS = [1, 1, 1, 0, 0] as const;
const A = [0.9, 0.5, 0.2, 0.4, 0.1];
const B = [0.6, 0.7, 0.3, 0.8, 0.1];
const PAIRS: PairedOutcome[] = LABELS.map((label, i) => ({
  champion: A[i],
  challenger: B[i],
  champion_decision: A[i] >= 0.5 ? 1 : 0,
  challenger_decision: B[i] >= 0.5 ? 1 : 0,
  label,
}));

Deno.test("paired DeLong: AUCs, variances and covariance of a hand-worked example", () => {
  // A: V10 = [1, 1, ½], V01 = [⅔, 1] → AUC 5/6, Var = (1/12)/3 + (1/18)/2 = 1/18.
  // B: V10 = [½, ½, ½], V01 = [0, 1] → AUC ½, Var = 0/3 + ½/2 = ¼.
  // Cov = 0/3 + (1/6)/2 = 1/12, so Var(B − A) = 1/18 + 1/4 − 1/6 = 5/36.
  const d = pairedDeLong(LABELS, [A, B])!;
  close(d.auc[0], 5 / 6);
  close(d.auc[1], 1 / 2);
  close(d.variance![0], 1 / 18);
  close(d.variance![1], 1 / 4);
  close(d.covariance, 1 / 12);
  const auc = realisedComparison(PAIRS, COSTS).roc_auc;
  close(auc.difference.value, -1 / 3);
  close(auc.difference.std_error, Math.sqrt(5 / 36));
  // z = −0.894; Φ(0.894) = 0.8144 (normal table): p = 0.371.
  close(auc.difference.p_value, 0.3711, 5e-4);
  close(auc.difference.ci!.lower, -1 / 3 - 1.959964 * Math.sqrt(5 / 36), 1e-6);
  assert.equal(auc.lower_is_better, false);
});

Deno.test("Brier and cost side by side with paired intervals, worked by hand", () => {
  const r = realisedComparison(PAIRS, COSTS);
  assert.equal(r.n_rows, 5);
  assert.equal(r.n_defaults, 3);
  // Squared errors A: .01 .25 .64 .16 .01 (mean .214); B: .16 .09 .49 .64 .01 (mean .278).
  close(r.brier.champion.value, 0.214);
  close(r.brier.challenger.value, 0.278);
  // Differences .15 −.16 −.15 .48 0: mean .064, sample variance .28052/4, se √(.07013/5).
  close(r.brier.difference.value, 0.064);
  close(r.brier.difference.std_error, Math.sqrt(0.28052 / 4 / 5), 1e-9);
  // Decisions at 0.5: A rejects rows 1–2 (costs 0 0 5 0 0), B rows 1, 2 and 4 (0 0 5 1 0).
  close(r.cost_per_row.champion.value, 1);
  close(r.cost_per_row.challenger.value, 1.2);
  close(r.cost_per_row.difference.value, 0.2);
  close(r.cost_per_row.difference.std_error, 0.2);
  assert.equal(r.cost_per_row.lower_is_better, true);
});

Deno.test("the Wilson interval of 8 in 10 is 0.490–0.943", () => {
  const ci = wilsonInterval(8, 10)!;
  close(ci.lower, 0.4902, 1e-4);
  close(ci.upper, 0.9433, 1e-4);
  assert.equal(wilsonInterval(0, 0), null);
});

const cell = (
  a: number,
  b: number,
  da: 0 | 1,
  db: 0 | 1,
  label: 0 | 1 | null,
  n: number,
  flipped = false,
): PairCell => ({
  champion_bin: a,
  challenger_bin: b,
  champion_decision: da,
  challenger_decision: db,
  label,
  challenger_answered: flipped,
  n,
});

Deno.test("distributions, agreement and the swap set from the cells", () => {
  const cells = [
    cell(0, 0, 0, 0, null, 5),
    cell(0, 1, 0, 0, 0, 1),
    cell(1, 3, 0, 1, 1, 2),
    cell(1, 3, 0, 1, 0, 2),
    cell(3, 1, 1, 0, 0, 3, true),
    cell(3, 3, 1, 1, 1, 4),
  ];
  const c = compareModels(cells, [], { champion: "m1", challenger: "m2", bins: 4, costs: COSTS });
  assert.equal(c.n_rows, 17);
  assert.deepEqual(c.answered_by, { champion: 14, challenger: 3 });
  assert.deepEqual(c.distribution, { champion: [6, 4, 0, 7], challenger: [5, 4, 0, 8] });
  assert.deepEqual(c.bins[1], { lower: 0.25, upper: 0.5 });
  assert.equal(c.agreement.agree, 10);
  close(c.agreement.rate, 10 / 17);
  close(c.reject_rate.champion, 7 / 17);
  close(c.reject_rate.challenger, 8 / 17);
  assert.deepEqual(
    c.swap_set.map((s) => [s.n, s.labelled, s.defaults, s.default_rate]),
    [[6, 1, 0, 0], [4, 4, 2, 0.5], [3, 3, 0, 0], [4, 4, 4, 1]],
  );
  assert.equal(c.n_labelled, 12);
  assert.equal(c.realised, null);
  assert.equal(c.realised_sampled, true);
});

Deno.test("an empty window compares nothing, without NaN", () => {
  const c = compareModels([], [], { champion: "a", challenger: "b", bins: 10, costs: COSTS });
  assert.equal(c.n_rows, 0);
  assert.equal(c.agreement.rate, null);
  assert.equal(c.swap_set[1].default_rate, null);
  assert.doesNotThrow(() => JSON.stringify(c));
  assert.ok(!JSON.stringify(c).includes("NaN"));
});

Deno.test("bad inputs are refused with a RangeError", () => {
  const options = { champion: "a", challenger: "b", bins: 4, costs: COSTS };
  assert.throws(() => compareModels([cell(4, 0, 0, 0, null, 1)], [], options), RangeError);
  assert.throws(() => compareModels([], [{ ...PAIRS[0], challenger: 1.5 }], options), RangeError);
  assert.throws(
    () => compareModels([], [{ ...PAIRS[0], label: null as unknown as 0 }], options),
    RangeError,
  );
  assert.throws(() => compareModels([], [], { ...options, bins: 0 }), RangeError);
});

const score = fc.double({ min: 0, max: 1, noNaN: true });
const pairs = fc.array(
  fc.record({
    champion: score,
    challenger: score,
    champion_decision: fc.constantFrom(0 as const, 1 as const),
    challenger_decision: fc.constantFrom(0 as const, 1 as const),
    label: fc.constantFrom(0 as const, 1 as const),
  }),
  { minLength: 1, maxLength: 60 },
);

Deno.test("property: realised metrics agree with the single-model metrics", () => {
  fc.assert(
    fc.property(pairs, (rows) => {
      const r = realisedComparison(rows, COSTS);
      const labels = rows.map((x) => x.label);
      const a = { labels, scores: rows.map((x) => x.champion) };
      const b = { labels, scores: rows.map((x) => x.challenger) };
      const aucA = rocAuc(a);
      if (Number.isNaN(aucA)) assert.equal(r.roc_auc.champion.value, null);
      else close(r.roc_auc.champion.value, aucA, 1e-9);
      if (!Number.isNaN(aucA)) close(r.roc_auc.challenger.value, rocAuc(b), 1e-9);
      close(r.brier.difference.value, brierScore(b) - brierScore(a), 1e-9);
      for (const m of [r.roc_auc, r.brier, r.cost_per_row]) {
        for (const v of [m.champion, m.challenger, m.difference]) {
          if (v.ci && v.value !== null) {
            assert.ok(v.ci.lower <= v.value + 1e-12 && v.value <= v.ci.upper + 1e-12);
          }
        }
      }
    }),
  );
});

Deno.test("property: swapping the models negates every difference and keeps its error", () => {
  fc.assert(
    fc.property(pairs, (rows) => {
      const swapped = rows.map((r) => ({
        champion: r.challenger,
        challenger: r.champion,
        champion_decision: r.challenger_decision,
        challenger_decision: r.champion_decision,
        label: r.label,
      }));
      const x = realisedComparison(rows, COSTS);
      const y = realisedComparison(swapped, COSTS);
      for (const k of ["roc_auc", "brier", "cost_per_row"] as const) {
        const dx = x[k].difference;
        const dy = y[k].difference;
        if (dx.value === null) assert.equal(dy.value, null);
        else close(dy.value, -dx.value, 1e-9);
        if (dx.std_error !== null) close(dy.std_error, dx.std_error, 1e-9);
      }
    }),
  );
});

Deno.test("property: a model compared with itself differs by exactly nothing", () => {
  fc.assert(
    fc.property(pairs, (rows) => {
      const same = rows.map((r) => ({
        ...r,
        challenger: r.champion,
        challenger_decision: r.champion_decision,
      }));
      const d = realisedComparison(same, COSTS);
      for (const k of ["roc_auc", "brier", "cost_per_row"] as const) {
        if (d[k].difference.value !== null) close(d[k].difference.value, 0, 1e-12);
        if (d[k].difference.std_error !== null) close(d[k].difference.std_error, 0, 1e-6);
      }
    }),
  );
});

Deno.test("property: cell totals add up across distributions, swap set and agreement", () => {
  const cells = fc.array(
    fc.record({
      champion_bin: fc.integer({ min: 0, max: 9 }),
      challenger_bin: fc.integer({ min: 0, max: 9 }),
      champion_decision: fc.constantFrom(0 as const, 1 as const),
      challenger_decision: fc.constantFrom(0 as const, 1 as const),
      label: fc.constantFrom(0 as const, 1 as const, null),
      challenger_answered: fc.boolean(),
      n: fc.integer({ min: 0, max: 1000 }),
    }),
    { maxLength: 40 },
  );
  fc.assert(
    fc.property(cells, (cs) => {
      const c = compareModels(cs, [], { champion: "a", challenger: "b", bins: 10, costs: COSTS });
      const total = cs.reduce((s, x) => s + x.n, 0);
      const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
      assert.equal(c.n_rows, total);
      assert.equal(sum(c.distribution.champion), total);
      assert.equal(sum(c.distribution.challenger), total);
      assert.equal(sum(c.swap_set.map((s) => s.n)), total);
      assert.equal(c.answered_by.champion + c.answered_by.challenger, total);
      assert.equal(c.agreement.agree, c.swap_set[0].n + c.swap_set[3].n);
      for (const s of c.swap_set) {
        assert.ok(s.defaults <= s.labelled && s.labelled <= s.n);
        if (s.default_rate_ci) {
          assert.ok(s.default_rate_ci.lower <= s.default_rate! + 1e-12);
          assert.ok(s.default_rate! <= s.default_rate_ci.upper + 1e-12);
        }
      }
    }),
  );
});
