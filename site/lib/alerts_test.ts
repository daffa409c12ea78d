import assert from "node:assert/strict";
import { ALERT_LIMITS, type AlertInputs, overviewAlerts } from "./alerts.ts";

const NOW = new Date("2026-03-01T12:00:00Z");

const quiet: AlertInputs = {
  now: NOW,
  drift: { verdict: "low", generatedAt: "2026-03-01T11:00:00Z", drifting: [], nProduction: 500 },
  requests: { n: 1000, serverErrors: 0 },
  scoring: { n: 800, clientErrors: 10, p50Ms: 3, p95Ms: 20 },
  scoreMix: { psi: 0.01, verdict: "low", n: 800 },
};

const kinds = (inputs: AlertInputs) => overviewAlerts(inputs).map((a) => a.kind);

Deno.test("a healthy window has no alerts", () => {
  assert.deepEqual(overviewAlerts(quiet), []);
});

Deno.test("each rule fires past its limit, and only then", () => {
  const L = ALERT_LIMITS;
  assert.deepEqual(kinds({ ...quiet, scoring: { ...quiet.scoring, p95Ms: L.latencyP95Ms } }), []);
  assert.deepEqual(kinds({ ...quiet, scoring: { ...quiet.scoring, p95Ms: L.latencyP95Ms + 1 } }), [
    "latency",
  ]);
  assert.deepEqual(kinds({ ...quiet, requests: { n: 1000, serverErrors: 10 } }), []);
  assert.deepEqual(kinds({ ...quiet, requests: { n: 1000, serverErrors: 11 } }), ["errors"]);
  assert.deepEqual(kinds({ ...quiet, scoring: { ...quiet.scoring, clientErrors: 161 } }), [
    "client-errors",
  ]);
  assert.deepEqual(kinds({ ...quiet, scoreMix: { psi: 0.4, verdict: "severe", n: 800 } }), [
    "score-mix",
  ]);
  assert.deepEqual(kinds({ ...quiet, drift: null }), ["drift"]);
  assert.deepEqual(
    kinds({ ...quiet, drift: { ...quiet.drift!, generatedAt: "2026-02-01T00:00:00Z" } }),
    ["drift-stale"],
  );
});

Deno.test("too few requests keep rate alerts quiet", () => {
  const few = { ...quiet, requests: { n: 10, serverErrors: 10 } };
  assert.deepEqual(kinds(few), []);
  const slow = { ...quiet, scoring: { n: 5, clientErrors: 0, p50Ms: 900, p95Ms: 900 } };
  assert.deepEqual(kinds(slow), []);
});

Deno.test("alerts come most urgent first and name drifting features", () => {
  const alerts = overviewAlerts({
    ...quiet,
    drift: {
      verdict: "moderate",
      generatedAt: "2026-03-01T11:00:00Z",
      drifting: [{ name: "Income", verdict: "moderate", psi: 0.15 }],
      nProduction: 900,
    },
    requests: { n: 1000, serverErrors: 100 },
  });
  assert.deepEqual(alerts.map((a) => a.level), ["critical", "warning"]);
  assert.match(alerts[1].detail, /Income \(moderate, PSI 0\.15\)/);
});

Deno.test("an AUC drop of the window is an alert linking to the performance page", () => {
  assert.deepEqual(kinds({ ...quiet, performance: [] }), []);
  const [moderate] = overviewAlerts({
    ...quiet,
    performance: [{ severity: "moderate", message: "ROC AUC 0.780 vs 0.863 at training" }],
  });
  assert.equal(moderate.kind, "auc-drop");
  assert.equal(moderate.level, "warning");
  assert.equal(moderate.href, "/performance");
  assert.match(moderate.detail, /ROC AUC 0\.780 vs 0\.863/);
  const high = overviewAlerts({
    ...quiet,
    requests: { n: 1000, serverErrors: 20 },
    performance: [{ severity: "high", message: "ROC AUC 0.6" }],
  });
  assert.deepEqual(high.map((a) => [a.kind, a.level]), [
    ["auc-drop", "critical"],
    ["errors", "warning"],
  ]);
});
