/**
 * The parts of a champion-vs-challenger comparison page (server-only, static
 * SVG charts: nothing on it needs interaction): the score distributions on
 * common bins, the swap set, the realised metrics side by side with their
 * intervals, and the change history.
 *
 * @module
 */
import type { JSX } from "preact";
import type { ModelChange, ModelRole } from "../../api/model_admin.ts";
import type {
  Interval,
  MetricComparison,
  ModelComparison,
} from "../../monitoring/model_comparison.ts";
import { formatCount, formatShare, formatTime, NONE } from "../shared/format.ts";
import { SvgBarChart } from "../shared/svg_charts.tsx";
import type { BarChartSpec } from "../shared/types.ts";

const CHAMPION_COLOR = "#8c959f";
const CHALLENGER_COLOR = "#0969da";

const dec = (x: number | null | undefined, d = 3) =>
  x === null || x === undefined || !Number.isFinite(x) ? NONE : x.toFixed(d);
const signed = (x: number | null | undefined, d = 3) =>
  x === null || x === undefined ? NONE : `${x > 0 ? "+" : ""}${x.toFixed(d)}`;
const ci = (i: Interval | null, format: (x: number) => string) =>
  i ? ` (${format(i.lower)} to ${format(i.upper)})` : "";

/** A version's role as a badge. */
export function RoleBadge({ role }: { role: ModelRole }): JSX.Element {
  return <span class={`badge role-${role}`} data-role={role}>{role}</span>;
}

/** The two score distributions as shares of the paired rows per bin. */
export function distributionSpec(c: ModelComparison): BarChartSpec {
  const share = (counts: number[]) => counts.map((n) => (c.n_rows > 0 ? n / c.n_rows : 0));
  return {
    id: "chart-score-distributions",
    title: "proba_default on the same applications: share of rows per score bin",
    unit: "share",
    labels: c.bins.map((b) => `${b.lower.toFixed(2)}–${b.upper.toFixed(2)}`),
    series: [
      {
        label: `Champion ${c.champion}`,
        values: share(c.distribution.champion),
        color: CHAMPION_COLOR,
      },
      {
        label: `Challenger ${c.challenger}`,
        values: share(c.distribution.challenger),
        color: CHALLENGER_COLOR,
      },
    ],
  };
}

/** Score distributions: chart and legend. */
export function Distributions({ comparison }: { comparison: ModelComparison }): JSX.Element {
  const c = comparison;
  return (
    <section>
      <h2>Score distributions on the same applications</h2>
      <p class="muted">
        Grey: champion <code>{c.champion}</code>; blue: challenger{" "}
        <code>{c.challenger}</code>. Reject rate {formatShare(c.reject_rate.champion)} →{" "}
        <span data-testid="challenger-reject-rate">{formatShare(c.reject_rate.challenger)}</span>.
      </p>
      <div class="chart" data-testid="distribution-chart">
        <SvgBarChart spec={distributionSpec(c)} />
      </div>
    </section>
  );
}

const decisionName = (d: 0 | 1) => (d === 1 ? "reject" : "approve");

/** The 2×2 table of decisions with each cell's realised default rate. */
export function SwapSet({ comparison }: { comparison: ModelComparison }): JSX.Element {
  const c = comparison;
  const a = c.agreement;
  return (
    <section>
      <h2>Decisions: agreement and the swap set</h2>
      <p>
        Both decide alike on <strong data-testid="agreement">{formatShare(a.rate)}</strong> of{" "}
        {formatCount(c.n_rows)}{" "}
        applications{ci(a.ci, (x) => formatShare(x))}. The two cells where they differ are the
        applications a promotion would decide differently; their realised default rate says which
        model is right about them (outcomes exist only for approved applications, so the "rejected
        by the champion" cells fill slowly).
      </p>
      <div class="table-wrap">
        <table data-testid="swap-set">
          <thead>
            <tr>
              <th>Champion</th>
              <th>Challenger</th>
              <th class="num">Applications</th>
              <th class="num">Share</th>
              <th class="num">With outcome</th>
              <th class="num">Realised default rate (95% CI)</th>
            </tr>
          </thead>
          <tbody>
            {c.swap_set.map((s) => (
              <tr
                key={`${s.champion_decision}${s.challenger_decision}`}
                data-cell={`${decisionName(s.champion_decision)}-${
                  decisionName(s.challenger_decision)
                }`}
                class={s.champion_decision !== s.challenger_decision ? "swap" : undefined}
              >
                <td>{decisionName(s.champion_decision)}</td>
                <td>{decisionName(s.challenger_decision)}</td>
                <td class="num" data-col="n">{formatCount(s.n)}</td>
                <td class="num">{formatShare(s.share)}</td>
                <td class="num">{formatCount(s.labelled)}</td>
                <td class="num" data-col="default-rate">
                  {formatShare(s.default_rate)}
                  {ci(s.default_rate_ci, (x) => formatShare(x))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function metricRow(
  key: string,
  label: string,
  m: MetricComparison,
): JSX.Element {
  const better = m.difference.ci && (m.difference.ci.lower > 0 || m.difference.ci.upper < 0)
    ? (m.difference.value! > 0) !== m.lower_is_better ? "challenger" : "champion"
    : null;
  return (
    <tr key={key} data-metric={key}>
      <td>{label}</td>
      <td class="num" data-cell="champion">
        {dec(m.champion.value)}
        {ci(m.champion.ci, (x) => dec(x))}
      </td>
      <td class="num" data-cell="challenger">
        {dec(m.challenger.value)}
        {ci(m.challenger.ci, (x) => dec(x))}
      </td>
      <td class="num" data-cell="difference">
        {signed(m.difference.value)}
        {ci(m.difference.ci, (x) => signed(x))}
      </td>
      <td class="num">{dec(m.difference.p_value)}</td>
      <td data-cell="verdict">{better ? `${better} better` : "no clear difference"}</td>
    </tr>
  );
}

/** Realised AUC, Brier and cost side by side. */
export function RealisedMetrics(
  { comparison, costNote }: { comparison: ModelComparison; costNote: string },
): JSX.Element {
  const c = comparison;
  const r = c.realised;
  if (!r) {
    return (
      <section>
        <h2>Realised performance</h2>
        <p class="note" data-testid="no-outcomes">
          No outcome has been fed back for these applications yet (<code>POST /feedback</code>): the
          realised AUC, Brier score and cost appear once some are.
        </p>
      </section>
    );
  }
  return (
    <section>
      <h2>Realised performance, side by side</h2>
      <p class="muted">
        On {formatCount(r.n_rows)} applications with an outcome ({formatCount(r.n_defaults)}{" "}
        defaults){c.realised_sampled
          ? `, the most recent of ${formatCount(c.n_labelled)} in the window`
          : ""}. 95% intervals; the difference is challenger − champion on the same rows (paired:
        DeLong for the AUC, the mean of per-row differences for Brier and cost).
      </p>
      <div class="table-wrap">
        <table data-testid="realised-metrics">
          <thead>
            <tr>
              <th>Metric</th>
              <th class="num">Champion {c.champion}</th>
              <th class="num">Challenger {c.challenger}</th>
              <th class="num">Difference</th>
              <th class="num">p-value</th>
              <th>Reading</th>
            </tr>
          </thead>
          <tbody>
            {metricRow("roc_auc", "ROC AUC (higher is better)", r.roc_auc)}
            {metricRow("brier", "Brier score (lower is better)", r.brier)}
            {metricRow("cost_per_row", "Cost per application (lower is better)", r.cost_per_row)}
          </tbody>
        </table>
      </div>
      <p class="muted small">{costNote}</p>
    </section>
  );
}

const ACTIONS: Record<ModelChange["action"], string> = {
  promote: "promoted",
  rollback: "rolled back",
  shadow_on: "shadow on",
  shadow_off: "shadow off",
};

/** The audit history of role changes, newest first. */
export function ChangeHistory({ changes }: { changes: readonly ModelChange[] }): JSX.Element {
  return (
    <section>
      <h2>Change history</h2>
      {changes.length === 0
        ? <p class="muted" data-testid="no-changes">No role change yet.</p>
        : (
          <div class="table-wrap">
            <table data-testid="change-history">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Action</th>
                  <th>From</th>
                  <th>To</th>
                  <th>Who (key id)</th>
                  <th>Why</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((ch, i) => (
                  <tr key={i} data-action={ch.action}>
                    <td>{formatTime(ch.at)}</td>
                    <td>{ACTIONS[ch.action]}</td>
                    <td>{ch.from_version ? <code>{ch.from_version}</code> : NONE}</td>
                    <td>{ch.to_version ? <code>{ch.to_version}</code> : NONE}</td>
                    <td>{ch.key_id ? <code>{ch.key_id}</code> : "(open mode)"}</td>
                    <td>{ch.reason || NONE}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}
