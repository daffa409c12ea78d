import { deepEqual, equal } from "node:assert/strict";
import { type AlertInputs, collectAlerts, overallVerdict } from "./alerts.ts";
import type { FeatureDrift } from "./feature_drift.ts";
import type { ScoreDrift } from "./score_drift.ts";
import type { Verdict } from "./verdict.ts";

function feature(verdict: Verdict, psi: number, missingAlert = false): FeatureDrift {
  return {
    type: "numeric",
    psi,
    noise_floor: 0.01,
    significant: true,
    verdict,
    bins: [],
    missing_ref: 0.1,
    missing_prod: missingAlert ? 0.3 : 0.1,
    missing_delta: missingAlert ? 0.2 : 0,
    missing_alert: missingAlert,
    n_reference: 1000,
    n_production: 1000,
  };
}

const quietScore: ScoreDrift = {
  psi: 0.01,
  noise_floor: 0.01,
  significant: false,
  verdict: "low",
  bins: [],
  threshold: 0.5,
  decision_rate_ref: 0.3,
  decision_rate_prod: 0.31,
  delta: 0.01,
  decision_rate_alert: false,
};

const base: AlertInputs = {
  features: {},
  score: quietScore,
  nProduction: 1000,
  minRows: 200,
  modelVersions: { v1: 1000 },
  referenceModelVersion: "v1",
  malformedRows: 0,
};

Deno.test("collectAlerts: one alert per drifted feature and missing rate, most severe first", () => {
  const alerts = collectAlerts({
    ...base,
    features: {
      Age: feature("moderate", 0.12),
      Income: feature("severe", 0.45, true),
      Debt: feature("low", 0.02),
    },
    score: { ...quietScore, verdict: "high", psi: 0.22, decision_rate_alert: true },
  });
  deepEqual(alerts.map((a) => [a.kind, a.feature, a.severity]), [
    ["feature_drift", "Income", "severe"],
    ["score_drift", undefined, "high"],
    ["feature_drift", "Age", "moderate"],
    ["missing_rate", "Income", "moderate"],
    ["decision_rate", undefined, "moderate"],
  ]);
  equal(alerts[0].message, "Income: PSI 0.450 (severe; noise floor 0.010)");
  equal(alerts[3].message, "Income: missing rate 10.0% → 30.0%");
  equal(overallVerdict(alerts, { nProduction: 1000, minRows: 200 }), "severe");
});

Deno.test("collectAlerts: info alerts (versions, malformed rows) never raise the verdict", () => {
  const alerts = collectAlerts({
    ...base,
    modelVersions: { v1: 600, v2: 400 },
    malformedRows: 3,
  });
  deepEqual(alerts.map((a) => [a.kind, a.severity]), [
    ["model_version", "info"],
    ["malformed_rows", "info"],
  ]);
  equal(overallVerdict(alerts, { nProduction: 1000, minRows: 200 }), "low");
});

Deno.test("collectAlerts: a single foreign model version is reported; the reference one is not", () => {
  equal(collectAlerts(base).length, 0);
  const foreign = collectAlerts({ ...base, modelVersions: { v0: 1000 } });
  equal(foreign[0].kind, "model_version");
  equal(
    foreign[0].message,
    "window scored by model version(s) v0 (1000); reference scores are from v1",
  );
});

Deno.test("overallVerdict: insufficient_data below min rows, low with no alerts", () => {
  const alerts = collectAlerts({ ...base, nProduction: 50 });
  equal(alerts[0].kind, "insufficient_data");
  equal(overallVerdict(alerts, { nProduction: 50, minRows: 200 }), "insufficient_data");
  equal(overallVerdict([], { nProduction: 200, minRows: 200 }), "low");
});
