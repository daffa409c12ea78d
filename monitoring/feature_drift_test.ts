import { deepEqual, equal, ok } from "node:assert/strict";
import { numericBinning } from "./binning.ts";
import { featureDrift, psiSection } from "./feature_drift.ts";
import type { FeatureReference } from "./reference_profile.ts";
import { TWO_FEATURES } from "./testing/drift_helpers.ts";

const ref: FeatureReference = {
  spec: TWO_FEATURES[0],
  binning: numericBinning([10]),
  // ≤ 10, > 10, missing
  counts: [450, 450, 100],
};

Deno.test("featureDrift: shares per bucket, missing rates and their change", () => {
  const f = featureDrift(ref, [300, 400, 300], { missingDelta: 0.05, sufficient: true });
  equal(f.type, "numeric");
  deepEqual(f.bins, [
    { label: "≤ 10", ref_share: 0.45, prod_share: 0.3 },
    { label: "> 10", ref_share: 0.45, prod_share: 0.4 },
    { label: "(missing)", ref_share: 0.1, prod_share: 0.3 },
  ]);
  equal(f.missing_ref, 0.1);
  equal(f.missing_prod, 0.3);
  ok(Math.abs((f.missing_delta as number) - 0.2) < 1e-12);
  equal(f.missing_alert, true);
  const expected = (0.3 - 0.45) * Math.log(0.3 / 0.45) + (0.4 - 0.45) * Math.log(0.4 / 0.45) +
    (0.3 - 0.1) * Math.log(0.3 / 0.1);
  ok(Math.abs((f.psi as number) - expected) < 1e-12);
  equal(f.noise_floor, 2 * (1 / 1000 + 1 / 1000));
  equal(f.significant, true);
  equal(f.verdict, "high"); // 0.061 + 0.006 + 0.220 = 0.286
  equal(f.n_reference, 1000);
  equal(f.n_production, 1000);
});

Deno.test("featureDrift: an insufficient window keeps the numbers but neither verdict nor alert", () => {
  const f = featureDrift(ref, [300, 400, 300], { missingDelta: 0.05, sufficient: false });
  equal(f.verdict, "insufficient_data");
  equal(f.missing_alert, false);
  ok((f.psi as number) > 0.2);
});

Deno.test("psiSection: a band counts only from 3 noise floors up", () => {
  const refCounts = [500, 300, 200, 0, 0];
  // Every production row missing: PSI far above the floor even on 5 rows.
  const allMissing = psiSection(refCounts, [0, 0, 0, 0, 5], { sufficient: true });
  ok((allMissing.psi as number) > 0.3);
  equal(allMissing.significant, true);
  equal(allMissing.verdict, "severe");
  // 1 vs 3 rows: PSI in the high band but within 3 · (1/1000 + 1/4) of noise.
  const noisy = psiSection([500, 500, 0, 0, 0], [1, 3, 0, 0, 0], { sufficient: true });
  ok((noisy.psi as number) >= 0.2, `${noisy.psi}`);
  equal(noisy.noise_floor, 1 / 1000 + 1 / 4);
  equal(noisy.significant, false);
  equal(noisy.verdict, "low");
});
