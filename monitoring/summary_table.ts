/**
 * The human-readable summary `deno task drift` prints: window, overall
 * verdict, one line per feature (highest PSI first), the score, the alerts.
 *
 * @module
 */
import type { PerformanceReport } from "./performance.ts";
import type { DriftReport } from "./drift_report.ts";

const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);
const fixed = (x: number | null) => (x === null ? "-" : x.toFixed(3));

function table(rows: string[][], rightAligned: ReadonlySet<number>): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r.map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join("  ").trimEnd()
  );
}

/** One line on model performance: realised on outcomes when any, else the estimate. */
function performanceLines(p: PerformanceReport | undefined): string[] {
  if (!p || p.n_predictions === 0) return [];
  const est = p.estimated
    ? `expected default rate ${pct(p.estimated.expected_default_rate)} (from scores)`
    : "";
  if (!p.realised || p.realised.roc_auc === null) {
    return [`performance: no outcomes fed back yet; ${est}`];
  }
  const r = p.realised;
  const ci = r.roc_auc_ci
    ? ` (95% CI ${r.roc_auc_ci.lower.toFixed(3)}–${r.roc_auc_ci.upper.toFixed(3)})`
    : "";
  const ref = p.reference ? ` vs ${p.reference.roc_auc.toFixed(3)} at training` : "";
  return [
    `performance: ROC AUC ${r.roc_auc!.toFixed(3)}${ci}${ref} on ${p.n_labelled} outcomes; ` +
    `default rate ${pct(r.default_rate)}, Brier ${r.brier.toFixed(3)}; ${est}`,
  ];
}

/** One line on the multivariate (domain classifier) check. */
function multivariateLines(report: DriftReport): string[] {
  const m = report.multivariate;
  if (!m) return [];
  if (m.auc === null || m.noise_floor === null) {
    return [`multivariate: not computed (${m.n_production} distinct production rows)`];
  }
  const sample = m.sampled ? `, a sample of ${m.n_production} of ${m.n_window} rows` : "";
  const drivers = m.verdict === "low"
    ? ""
    : `; driven by ${m.drivers.slice(0, 3).map((d) => d.feature).join(", ")}`;
  return [
    `multivariate: domain classifier AUC ${m.auc.toFixed(3)} (noise threshold ${
      m.noise_floor.threshold.toFixed(3)
    }${sample}) → ${m.verdict}${drivers}`,
  ];
}

/** Formats a report as plain text (no colours), one block per section. */
export function formatDriftSummary(report: DriftReport): string {
  const w = report.window;
  const versions = Object.entries(report.model_versions)
    .map(([v, n]) => `${v} (${n})`).join(", ") || "-";
  const lines = [
    `Drift report, generated ${report.generated_at}`,
    `window: ${w.first_ts ?? "-"} → ${w.last_ts ?? "-"}`,
    `rows: ${w.n_production} production, ${w.n_reference} reference; model: ${versions}`,
    `overall verdict: ${report.overall_verdict.toUpperCase()}`,
    "",
  ];
  const header = ["feature", "type", "psi", "floor", "verdict", "missing ref", "missing prod", ""];
  // Highest PSI first; features without a PSI (empty window) after them.
  const ranked = report.top_psi.map((t) => t.feature);
  const order = [...ranked, ...Object.keys(report.features).filter((f) => !ranked.includes(f))];
  const rows = order.map((feature) => {
    const f = report.features[feature];
    return [
      feature,
      f.type,
      fixed(f.psi),
      fixed(f.noise_floor),
      f.verdict,
      pct(f.missing_ref),
      pct(f.missing_prod),
      f.missing_alert ? "missing!" : "",
    ];
  });
  const s = report.score_drift;
  rows.push([
    "proba_default",
    "score",
    fixed(s.psi),
    fixed(s.noise_floor),
    s.verdict,
    "",
    "",
    "",
  ]);
  lines.push(...table([header, ...rows], new Set([2, 3, 5, 6])), "");
  const delta = s.delta === null
    ? ""
    : ` (${s.delta >= 0 ? "+" : ""}${(100 * s.delta).toFixed(1)} pts)`;
  lines.push(
    `reject rate: ${pct(s.decision_rate_ref)} reference → ${
      pct(s.decision_rate_prod)
    } production${delta} at threshold ${s.threshold}`,
    ...performanceLines(report.performance),
    ...multivariateLines(report),
    "",
  );
  if (report.alerts.length === 0) lines.push("alerts: none");
  else {
    lines.push("alerts:");
    for (const a of report.alerts) lines.push(`  ${a.severity.padEnd(8)}  ${a.message}`);
  }
  return lines.join("\n");
}
