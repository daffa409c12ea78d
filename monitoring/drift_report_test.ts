import { deepEqual, equal, throws } from "node:assert/strict";
import { buildDriftReport, type ProductionCounts } from "./drift_report.ts";
import { TWO_FEATURES } from "./testing/drift_helpers.ts";
import { buildReferenceProfile } from "./reference_profile.ts";

const profile = buildReferenceProfile({
  rows: [{ x: 1, c: "a" }, { x: 2, c: "b" }, { x: 3, c: "c" }, { x: null, c: "a" }],
  scores: [0.1, 0.4, 0.6, 0.9],
}, { features: TWO_FEATURES, threshold: 0.5, bins: 2, modelVersion: "v1" });

// x buckets: ≤ 2 | > 2 | missing (reference 2, 1, 1);
// c buckets: a | b | c | unseen | missing (reference 2, 1, 1, 0, 0).
const production: ProductionCounts = {
  n: 4,
  features: [[1, 1, 2], [2, 1, 1, 0, 0]],
  score: { counts: [2, 2], rejects: 2, total: 4 },
  firstTs: "2025-01-01T00:00:00.000Z",
  lastTs: "2025-01-01T01:00:00.000Z",
  modelVersions: { v1: 4 },
  malformed: 0,
};

Deno.test("buildDriftReport: sections, rankings, thresholds and overall verdict", () => {
  const report = buildDriftReport(profile, production, {
    minRows: 1,
    now: () => new Date(0),
  });
  equal(report.generated_at, "1970-01-01T00:00:00.000Z");
  deepEqual(Object.keys(report.features), ["x", "c"]);
  deepEqual(report.top_psi.map((t) => t.feature), ["x", "c"]);
  equal(report.top_psi[1].psi, 0);
  deepEqual(report.top_missing_delta, [
    { feature: "x", missing_delta: 0.25 },
    { feature: "c", missing_delta: 0 },
  ]);
  deepEqual(report.thresholds, {
    moderate: 0.1,
    high: 0.2,
    severe: 0.3,
    noise_multiple: 3,
    min_rows: 1,
    missing_delta: 0.05,
    decision_rate_delta: 0.05,
    min_z: 3,
    epsilon: 1e-4,
    bins: 2,
  });
  equal(report.reference_model_version, "v1");
  equal(report.window.n_reference, 4);
  // x: PSI 0.5·ln 2 ≈ 0.35 is in the severe band but within 3 × its noise floor
  // 2·(1/4 + 1/4) = 1 on 4 rows: nothing alerts.
  equal(report.features.x.psi, 0.5 * Math.log(2));
  equal(report.features.x.verdict, "low");
  deepEqual(report.alerts, []);
  equal(report.overall_verdict, "low");
  deepEqual(JSON.parse(JSON.stringify(report)), report);
});

Deno.test("buildDriftReport refuses counts for another feature list", () => {
  throws(() => buildDriftReport(profile, { ...production, features: [[0, 2, 2]] }), RangeError);
});
