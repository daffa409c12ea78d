import { equal, ok } from "node:assert/strict";
import { numericBinning } from "./binning.ts";
import type { ScoreReference } from "./reference_profile.ts";
import { scoreDrift } from "./score_drift.ts";

const ref: ScoreReference = {
  binning: numericBinning([0.2, 0.5], { missingBucket: false }),
  counts: [400, 400, 200],
  rejects: 300,
  total: 1000,
  threshold: 0.4,
};

Deno.test("scoreDrift: PSI over the reference score bins and the reject-rate change", () => {
  const s = scoreDrift(ref, { counts: [200, 400, 400], rejects: 500, total: 1000 }, {
    decisionRateDelta: 0.05,
    sufficient: true,
  });
  const expected = (0.2 - 0.4) * Math.log(0.2 / 0.4) + (0.4 - 0.2) * Math.log(0.4 / 0.2);
  ok(Math.abs((s.psi as number) - expected) < 1e-12);
  equal(s.verdict, "high"); // 0.2773
  equal(s.decision_rate_ref, 0.3);
  equal(s.decision_rate_prod, 0.5);
  ok(Math.abs((s.delta as number) - 0.2) < 1e-12);
  equal(s.decision_rate_alert, true);
  equal(s.threshold, 0.4);
  equal(s.bins.length, 3);
  equal(s.bins[0].label, "≤ 0.2");
});

Deno.test("scoreDrift: unchanged scores and decisions raise nothing", () => {
  const s = scoreDrift(ref, { counts: [40, 40, 20], rejects: 30, total: 100 }, {
    decisionRateDelta: 0.05,
    sufficient: true,
  });
  equal(s.psi, 0);
  equal(s.verdict, "low");
  equal(s.delta, 0);
  equal(s.decision_rate_alert, false);
});
