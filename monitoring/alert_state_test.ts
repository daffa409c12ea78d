import { deepEqual, equal } from "node:assert/strict";
import type { AlertStateRow } from "../api/store/mod.ts";
import type { Alert } from "./alerts.ts";
import { alertKey, transitionAlerts } from "./alert_state.ts";

const drift: Alert = { kind: "feature_drift", feature: "Income", severity: "high", message: "m1" };
const info: Alert = { kind: "model_version", severity: "info", message: "mixed" };

/** Runs evaluations in turn, pretending every due message was sent. */
function run(evaluations: Alert[][]): { firing: string[]; resolved: string[] }[] {
  let stored: AlertStateRow[] = [];
  return evaluations.map((alerts, i) => {
    const now = `t${i}`;
    const t = transitionAlerts(stored, alerts, now);
    const byKey = new Map(stored.map((r) => [r.alert_key, r]));
    for (const r of t.rows) {
      byKey.set(r.alert_key, {
        ...r,
        fired_sent_at: t.firing.includes(r.alert_key) ? now : r.fired_sent_at,
        resolved_sent_at: t.resolved.includes(r.alert_key) ? now : r.resolved_sent_at,
      });
    }
    stored = [...byKey.values()];
    return { firing: t.firing, resolved: t.resolved };
  });
}

Deno.test("an alert fires once while it lasts, resolves once, and may fire again", () => {
  const steps = run([[drift], [drift], [{ ...drift, severity: "severe" }], [], [], [drift]]);
  deepEqual(steps, [
    { firing: ["feature_drift:Income"], resolved: [] },
    { firing: [], resolved: [] },
    { firing: [], resolved: [] },
    { firing: [], resolved: ["feature_drift:Income"] },
    { firing: [], resolved: [] },
    { firing: ["feature_drift:Income"], resolved: [] },
  ]);
});

Deno.test("info alerts are never sent; an unsent alert is retried and resolves silently", () => {
  deepEqual(transitionAlerts([], [info], "t0"), { rows: [], firing: [], resolved: [] });
  const first = transitionAlerts([], [drift], "t0");
  // The message failed: fired_sent_at stays null, so the next evaluation retries it.
  const second = transitionAlerts(first.rows, [drift], "t1");
  deepEqual(second.firing, ["feature_drift:Income"]);
  equal(second.rows[0].first_seen, "t0");
  equal(second.rows[0].last_seen, "t1");
  const gone = transitionAlerts(second.rows, [], "t2");
  deepEqual(gone.resolved, [], "nobody heard of it: no resolution message");
  equal(gone.rows[0].resolved_at, "t2");
});

Deno.test("alert keys: kind, and feature when there is one", () => {
  equal(alertKey(drift), "feature_drift:Income");
  equal(alertKey({ kind: "multivariate_drift" }), "multivariate_drift");
});
