import assert from "node:assert/strict";
import fc from "fast-check";
import type { CostMatrix, EvalMetrics } from "../api/scoring/model_meta.ts";
import { evaluateClassifier, midranks, rocAuc } from "./classification_metrics.ts";
import {
  aucInterval,
  calibrationBins,
  deLong,
  evaluatePerformance,
  expectedRocAuc,
  performanceByWindow,
  type PredictionOutcome,
} from "./performance.ts";
import { seededRandom } from "./seeded_random.ts";

const COSTS: CostMatrix = {
  false_negative: 10,
  false_positive: 1,
  true_positive: 0,
  true_negative: 0,
};

const close = (actual: number | null | undefined, expected: number, tol = 1e-12) =>
  assert.ok(
    typeof actual === "number" && Math.abs(actual - expected) <= tol,
    `${actual} is not within ${tol} of ${expected}`,
  );

const decideAt = (p: number, t: number) => (p >= t ? 1 as const : 0 as const);

const REFERENCE: EvalMetrics = {
  n_rows: 1000,
  default_rate: 0.3,
  roc_auc: 0.9,
  brier: 0.15,
  log_loss: 0.45,
  cost: 800,
  flagged_rate: 0.4,
};

// ---------------------------------------------------------------------------
// Hand case: positives scored 0.9, 0.6; negatives 0.7, 0.2, 0.1; reject at 0.5.
// ---------------------------------------------------------------------------
const HAND: PredictionOutcome[] = [
  { proba: 0.9, label: 1 },
  { proba: 0.6, label: 1 },
  { proba: 0.7, label: 0 },
  { proba: 0.2, label: 0 },
  { proba: 0.1, label: 0 },
].map((r) => ({ ...r, label: r.label as 0 | 1, decision: decideAt(r.proba, 0.5) }));

Deno.test("hand case: realised metrics computed directly", () => {
  const report = evaluatePerformance(HAND, { costs: COSTS });
  const r = report.realised!;
  assert.equal(r.n_rows, 5);
  assert.equal(r.n_defaults, 2);
  close(r.default_rate, 0.4);
  close(r.mean_predicted, 0.5);
  // Confusion: rejected 0.9 (bad), 0.6 (bad), 0.7 (good); approved 0.2, 0.1 (good).
  assert.deepEqual(r.confusion, {
    true_positive: 2,
    false_positive: 1,
    true_negative: 2,
    false_negative: 0,
  });
  close(r.cost, 1); // one false positive at cost 1
  close(r.cost_per_row, 0.2);
  close(r.flagged_rate, 0.6);
  close(r.brier, (0.01 + 0.16 + 0.49 + 0.04 + 0.01) / 5);
  // AUC: 0.9 beats all three negatives, 0.6 beats two of three → 5/6.
  close(r.roc_auc, 5 / 6);
  // DeLong: V10 = (1, 2/3), V01 = (1/2, 1, 1); s10 = 1/18, s01 = 1/12;
  // Var = s10/2 + s01/3 = 1/36 + 1/36 = 1/18.
  close(r.roc_auc_ci!.std_error, Math.sqrt(1 / 18));
  close(r.roc_auc_ci!.lower, 5 / 6 - 1.959963984540054 * Math.sqrt(1 / 18));
  assert.equal(r.roc_auc_ci!.upper, 1); // clipped
  // Bins of width 0.1: 0.1 → [0.1, 0.2), 0.2 → [0.2, 0.3), 0.6, 0.7, 0.9 in their own.
  const used = r.calibration.filter((b) => b.n > 0);
  assert.deepEqual(used.map((b) => [b.lower, b.n, b.observed_rate]), [
    [0.1, 1, 0],
    [0.2, 1, 0],
    [0.6, 1, 1],
    [0.7, 1, 0],
    [0.9, 1, 1],
  ]);
  // ECE = (|0.1−0| + |0.2−0| + |0.6−1| + |0.7−0| + |0.9−1|) / 5 = 1.5 / 5.
  close(r.calibration_error, 0.3, 1e-12);
  // CBPE: rejected {0.9, 0.6, 0.7} → TP 2.2, FP 0.8; approved {0.2, 0.1} → FN 0.3, TN 1.7.
  const e = report.estimated!;
  close(e.expected_default_rate, 0.5);
  close(e.expected_confusion.true_positive, 2.2, 1e-12);
  close(e.expected_confusion.false_positive, 0.8, 1e-12);
  close(e.expected_confusion.false_negative, 0.3, 1e-12);
  close(e.expected_confusion.true_negative, 1.7, 1e-12);
  close(e.expected_cost, 0.3 * 10 + 0.8 * 1, 1e-12);
  assert.equal(report.reference, null);
  assert.equal(report.comparison, null);
  assert.deepEqual(report.alerts, []);
});

Deno.test("midranks give tied values their mean rank", () => {
  assert.deepEqual([...midranks([3, 1, 3, 2, 3])], [4, 1, 4, 2, 4]);
});

/** Brute-force DeLong from the pair definition ψ(X, Y) = 1, ½, 0. */
function pairwiseDeLong(labels: number[], scores: number[]) {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  const v10 = pos.map((x) => neg.reduce((s, y) => s + psi(x, y), 0) / neg.length);
  const v01 = neg.map((y) => pos.reduce((s, x) => s + psi(x, y), 0) / pos.length);
  const auc = v10.reduce((s, v) => s + v, 0) / pos.length;
  const s2 = (v: number[]) => v.reduce((s, x) => s + (x - auc) ** 2, 0) / (v.length - 1);
  return { auc, variance: s2(v10) / pos.length + s2(v01) / neg.length };
}

const labelledArb = fc.array(
  fc.record({
    label: fc.constantFrom(0, 1),
    score: fc.constantFrom(0, 0.1, 0.3, 0.5, 0.55, 0.9, 1),
  }),
  { minLength: 1, maxLength: 40 },
).map((rows) => ({ labels: rows.map((r) => r.label), scores: rows.map((r) => r.score) }));

Deno.test("property: DeLong equals the pairwise definition; its AUC equals rocAuc", () => {
  fc.assert(
    fc.property(labelledArb, ({ labels, scores }) => {
      const m = labels.filter((y) => y === 1).length;
      const d = deLong({ labels, scores });
      if (m < 2 || labels.length - m < 2) {
        assert.equal(d, null);
        assert.equal(aucInterval({ labels, scores }), null);
        return;
      }
      const ref = pairwiseDeLong(labels, scores);
      close(d!.auc, ref.auc, 1e-12);
      close(d!.auc, rocAuc({ labels, scores }), 1e-12);
      close(d!.variance, ref.variance, 1e-12);
      const ci = aucInterval({ labels, scores })!;
      assert.ok(ci.lower <= d!.auc && d!.auc <= ci.upper && ci.lower >= 0 && ci.upper <= 1);
    }),
  );
});

/** Brute-force CBPE AUC over ordered pairs i ≠ j. */
function pairwiseExpectedAuc(p: number[]): number | null {
  let num = 0;
  let den = 0;
  p.forEach((pi, i) =>
    p.forEach((pj, j) => {
      if (i === j) return;
      const w = pi * (1 - pj);
      den += w;
      num += w * (pi > pj ? 1 : pi === pj ? 0.5 : 0);
    })
  );
  return den > 0 ? num / den : null;
}

Deno.test("property: expected AUC equals the pairwise ratio of expectations", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.constantFrom(0, 0.2, 0.5, 1),
          // Subnormal probabilities (≈ 1e-323) underflow the pairwise weights of both
          // computations differently; no model emits them, so they stand in as 0.
          fc.double({ min: 0, max: 1, noNaN: true }).map((x) => (x < 1e-300 ? 0 : x)),
        ),
        { maxLength: 30 },
      ),
      (p) => {
        const expected = pairwiseExpectedAuc(p);
        const actual = expectedRocAuc(p);
        if (expected === null) assert.equal(actual, null);
        else close(actual, expected, 1e-9);
      },
    ),
  );
  close(expectedRocAuc([0.3, 0.3, 0.3]), 0.5);
  assert.equal(expectedRocAuc([]), null);
  assert.equal(expectedRocAuc([1]), null);
});

const outcomeArb = fc.array(
  fc.record({
    proba: fc.double({ min: 0, max: 1, noNaN: true }),
    label: fc.constantFrom(0 as const, 1 as const, null),
  }),
  { minLength: 1, maxLength: 60 },
);

Deno.test("property: realised metrics equal classification_metrics at the threshold", () => {
  fc.assert(
    fc.property(outcomeArb, fc.double({ min: 0.01, max: 0.99, noNaN: true }), (raw, t) => {
      const rows = raw.map((r) => ({ ...r, decision: decideAt(r.proba, t) }));
      const labelled = rows.filter((r) => r.label !== null);
      const report = evaluatePerformance(rows, { costs: COSTS });
      if (labelled.length === 0) return assert.equal(report.realised, null);
      const expected = evaluateClassifier({
        labels: labelled.map((r) => r.label as number),
        scores: labelled.map((r) => r.proba),
      }, { threshold: t, costs: COSTS });
      const r = report.realised!;
      assert.equal(r.n_rows, expected.n_rows);
      assert.equal(r.roc_auc, Number.isNaN(expected.roc_auc) ? null : expected.roc_auc);
      for (const k of ["default_rate", "brier", "log_loss", "cost", "flagged_rate"] as const) {
        assert.equal(r[k], expected[k], k);
      }
      assert.deepEqual(r.confusion, expected.confusion);
    }),
  );
});

Deno.test("property: calibration bins partition the rows; CBPE default rate is the mean score", () => {
  fc.assert(
    fc.property(outcomeArb, fc.integer({ min: 1, max: 20 }), (raw, bins) => {
      const rows = raw.map((r) => ({ ...r, decision: decideAt(r.proba, 0.5) }));
      const report = evaluatePerformance(rows, { costs: COSTS, calibrationBins: bins });
      if (report.realised) {
        const cal = report.realised.calibration;
        assert.equal(cal.length, bins);
        assert.equal(cal.reduce((s, b) => s + b.n, 0), report.n_labelled);
        for (const b of cal) {
          if (b.n === 0) continue;
          assert.ok(b.mean_predicted! >= b.lower && b.mean_predicted! <= b.upper);
        }
      }
      const e = report.estimated!;
      close(e.expected_default_rate, rows.reduce((s, r) => s + r.proba, 0) / rows.length, 1e-12);
      const c = e.expected_confusion;
      close(
        c.true_positive + c.false_positive + c.true_negative + c.false_negative,
        rows.length,
        1e-9,
      );
      const direct = rows.reduce(
        (s, r) => s + (r.decision === 0 ? r.proba * 10 : (1 - r.proba) * 1),
        0,
      );
      close(e.expected_cost, direct, 1e-9);
      assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
    }),
  );
  assert.throws(() => calibrationBins({ labels: [1], scores: [0.5] }, 0), RangeError);
});

/** `nLabelled` labelled rows (AUC ≈ 0.78) followed by `nUnlabelled` unlabelled ones. */
function window(nLabelled: number, nUnlabelled: number, seed = 7): PredictionOutcome[] {
  const rng = seededRandom(seed);
  return Array.from({ length: nLabelled + nUnlabelled }, (_, i) => {
    const y = rng.next() < 0.3 ? 1 : 0;
    const proba = 0.25 * y + 0.75 * rng.next();
    return { proba, decision: decideAt(proba, 0.4), label: i < nLabelled ? y as 0 | 1 : null };
  });
}

Deno.test("AUC-drop alert: only with enough labelled rows, carries the CI", () => {
  const options = { costs: COSTS, reference: REFERENCE };
  const few = evaluatePerformance(window(199, 500), options);
  const drop = REFERENCE.roc_auc - few.realised!.roc_auc!;
  assert.ok(drop > 0.05, `test data must show a drop, got ${drop}`);
  assert.deepEqual(few.alerts, []);
  assert.equal(few.n_labelled, 199);
  close(few.label_coverage, 199 / 699);

  const enough = evaluatePerformance(window(200, 0), options);
  assert.equal(enough.alerts.length, 1);
  const alert = enough.alerts[0];
  const r = enough.realised!;
  assert.equal(alert.kind, "auc_drop");
  assert.deepEqual(alert.ci, r.roc_auc_ci);
  close(alert.drop, REFERENCE.roc_auc - r.roc_auc!);
  assert.equal(alert.severity, r.roc_auc_ci!.upper < REFERENCE.roc_auc ? "high" : "moderate");
  assert.match(alert.message, /95% CI .*DeLong.*200 labelled rows/);
  close(enough.comparison!.roc_auc_drop, alert.drop);

  // A looser rule or a lower reference: no alert.
  assert.deepEqual(evaluatePerformance(window(200, 0), { ...options, maxAucDrop: 0.5 }).alerts, []);
  const lowRef = { ...REFERENCE, roc_auc: r.roc_auc! + 0.049 };
  assert.deepEqual(
    evaluatePerformance(window(200, 0), { ...options, reference: lowRef }).alerts,
    [],
  );
  // A lower minimum: the 199-row window alerts too.
  assert.equal(
    evaluatePerformance(window(199, 0), { ...options, minLabelled: 100 }).alerts.length,
    1,
  );
});

Deno.test("comparison with the reference: per-row cost and signed changes", () => {
  const report = evaluatePerformance(HAND, { costs: COSTS, reference: REFERENCE });
  assert.deepEqual(report.reference, {
    n_rows: 1000,
    default_rate: 0.3,
    roc_auc: 0.9,
    brier: 0.15,
    log_loss: 0.45,
    flagged_rate: 0.4,
    cost_per_row: 0.8,
  });
  const c = report.comparison!;
  close(c.roc_auc_drop, 0.9 - 5 / 6);
  close(c.default_rate_change, 0.4 - 0.3);
  close(c.expected_default_rate_change, 0.5 - 0.3);
  close(c.cost_per_row_change, 0.2 - 0.8);
  close(c.expected_cost_per_row_change, 3.8 / 5 - 0.8);
  close(c.brier_change, 0.142 - 0.15);
  close(c.expected_roc_auc_drop, 0.9 - expectedRocAuc(HAND.map((r) => r.proba))!);
});

Deno.test("unlabelled and empty windows give null sections, never NaN", () => {
  const unlabelled = HAND.map((r) => ({ ...r, label: null }));
  const report = evaluatePerformance(unlabelled, { costs: COSTS, reference: REFERENCE });
  assert.equal(report.realised, null);
  assert.equal(report.comparison!.roc_auc_drop, null);
  assert.notEqual(report.comparison!.expected_default_rate_change, null);
  const empty = evaluatePerformance([], { costs: COSTS, reference: REFERENCE });
  assert.equal(empty.estimated, null);
  assert.equal(empty.label_coverage, 0);
  assert.equal(JSON.stringify(empty).includes("NaN"), false);
  const oneClass = evaluatePerformance(HAND.map((r) => ({ ...r, label: 0 as const })), {
    costs: COSTS,
  });
  assert.equal(oneClass.realised!.roc_auc, null);
  assert.equal(oneClass.realised!.roc_auc_ci, null);
});

Deno.test("invalid rows are refused", () => {
  const bad = (row: Record<string, unknown>) => () =>
    evaluatePerformance([{ ...HAND[0], ...row } as PredictionOutcome], { costs: COSTS });
  assert.throws(bad({ proba: 1.5 }), /proba/);
  assert.throws(bad({ proba: NaN }), /proba/);
  assert.throws(bad({ decision: "maybe" }), /decision/);
  assert.throws(bad({ label: 2 }), /label/);
});

Deno.test("performanceByWindow keeps the bounds and evaluates each window", () => {
  const windows = [
    { start: "2024-01-01T00:00:00Z", end: "2024-01-02T00:00:00Z", rows: HAND },
    { start: "2024-01-02T00:00:00Z", end: "2024-01-03T00:00:00Z", rows: [] },
  ];
  const out = performanceByWindow(windows, { costs: COSTS });
  assert.deepEqual(out.map((w) => [w.start, w.end, w.report.n_predictions]), [
    [windows[0].start, windows[0].end, 5],
    [windows[1].start, windows[1].end, 0],
  ]);
  assert.deepEqual(out[0].report, evaluatePerformance(HAND, { costs: COSTS }));
});
