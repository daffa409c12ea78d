import { match, ok } from "node:assert/strict";
import { createDriftAccumulator } from "./drift_accumulator.ts";
import { loggedRow, sampleRows, TWO_FEATURES } from "./testing/drift_helpers.ts";
import { buildReferenceProfile } from "./reference_profile.ts";
import { evaluatePerformance } from "./performance.ts";
import { formatDriftSummary } from "./summary_table.ts";

const profile = buildReferenceProfile(sampleRows(3000, { seed: 1 }), {
  features: TWO_FEATURES,
  threshold: 0.5,
  modelVersion: "v1",
});

function report(scaleX: number, n = 1000) {
  const acc = createDriftAccumulator(profile, { now: () => new Date("2025-01-01T00:00:00Z") });
  const prod = sampleRows(n, { seed: 2, scaleX });
  prod.rows.forEach((r, i) =>
    acc.add(loggedRow(r, {
      proba_default: prod.scores[i],
      decision: prod.scores[i] >= 0.5 ? 1 : 0,
    }))
  );
  return acc.finish();
}

Deno.test("summary: verdict, one line per feature (highest PSI first), score, alerts", () => {
  const text = formatDriftSummary(report(3));
  match(text, /^overall verdict: SEVERE$/m);
  match(text, /^rows: 1000 production, 3000 reference; model: v1 \(1000\)$/m);
  const x = text.search(/^x +numeric/m);
  const c = text.search(/^c +categorical/m);
  ok(x > 0 && c > x, "x (drifted) is listed before c");
  match(text, /^proba_default +score/m);
  match(text, /^reject rate: 50\.\d% reference → \d+\.\d% production \([+-]\d+\.\d pts\)/m);
  match(text, /^alerts:\n {2}severe {4}x: PSI \d+\.\d{3} \(severe; noise floor/m);
});

Deno.test("summary: no alerts, and an empty window, still print every feature", () => {
  match(formatDriftSummary(report(1)), /^alerts: none$/m);
  const empty = formatDriftSummary(createDriftAccumulator(profile).finish());
  match(empty, /^overall verdict: INSUFFICIENT_DATA$/m);
  match(empty, /^x +numeric +- +- +insufficient_data/m);
  match(empty, /^window: - → -$/m);
});

Deno.test("summary: a performance line with outcomes, an estimate without", () => {
  const labelled = [0.9, 0.8, 0.3, 0.2].map((proba, i) => ({
    proba,
    decision: proba >= 0.5 ? 1 as const : 0 as const,
    label: (i < 2 ? 1 : 0) as 0 | 1,
  }));
  const costs = { false_negative: 10, false_positive: 1, true_positive: 0, true_negative: 0 };
  const withOutcomes = { ...report(1), performance: evaluatePerformance(labelled, { costs }) };
  match(
    formatDriftSummary(withOutcomes),
    /^performance: ROC AUC 1\.000 .*on 4 outcomes; default rate 50\.0%/m,
  );
  const unlabelled = labelled.map((r) => ({ ...r, label: null }));
  const noOutcomes = { ...report(1), performance: evaluatePerformance(unlabelled, { costs }) };
  match(
    formatDriftSummary(noOutcomes),
    /^performance: no outcomes fed back yet; expected default rate 55\.0% \(from scores\)$/m,
  );
});

Deno.test("summary: a multivariate line with the AUC and its noise threshold", () => {
  match(
    formatDriftSummary(report(1)),
    /^multivariate: domain classifier AUC 0\.\d{3} \(noise threshold 0\.\d{3}\) → low$/m,
  );
});
