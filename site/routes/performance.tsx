/**
 * `GET /monitor/performance`: model performance over the selected window —
 * realised metrics on the predictions whose outcome was fed back (ROC AUC
 * with its 95% DeLong interval, Brier score, default rate, business cost,
 * reliability chart), CBPE estimates on every prediction (no labels needed),
 * both next to the training-time test metrics, the label coverage and the
 * AUC-drop alert. `GET /monitor/api/performance`: the same report as JSON.
 * Both read at most `performance.maxRows` (site option) of the window's most
 * recent predictions for the estimates, and as many of its most recent
 * predictions with an outcome for the realised metrics (outcomes arrive late,
 * so these reach further back), so a page stays within its time budget.
 *
 * @module
 */
import { Hono } from "hono";
import type { JSX } from "preact";
import type { CostMatrix } from "../../api/scoring/model_meta.ts";
import type { PerformanceReport } from "../../monitoring/performance.ts";
import { VerdictBadge } from "../components/badges.tsx";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { renderPage } from "../components/render.tsx";
import { WindowPicker } from "../components/window_picker.tsx";
import type { SiteContext } from "../context.ts";
import ReliabilityChartIsland from "../islands/reliability_chart.tsx";
import { binLabel, reliabilitySpec } from "../lib/performance.ts";
import { resolveWindow } from "../lib/resolve_window.ts";
import { versionMeta, versionsWithRows } from "../lib/model_versions.ts";
import { VersionPicker } from "../components/version_picker.tsx";
import { computeVersionPerformance } from "../../monitoring/run_version.ts";
import { parseWindow } from "../lib/window.ts";
import { formatCount, formatShare, NONE } from "../shared/format.ts";
import type { SiteEnv } from "../site_env.ts";

type Maybe = number | null | undefined;

const fixed = (digits: number) => (x: Maybe) =>
  x === null || x === undefined || !Number.isFinite(x) ? NONE : x.toFixed(digits);
const dec3 = fixed(3);
const signed = (format: (x: Maybe) => string) => (x: Maybe) =>
  x === null || x === undefined ? NONE : `${x > 0 ? "+" : ""}${format(x)}`;
const negate = (x: Maybe) => (x === null || x === undefined ? null : -x);
const signedShare = (x: Maybe) =>
  x === null || x === undefined ? NONE : `${x > 0 ? "+" : ""}${(100 * x).toFixed(1)} pt`;

interface MetricRow {
  key: string;
  label: string;
  training: string;
  realised: string;
  estimated: string;
  change: string;
}

function metricRows(r: PerformanceReport): MetricRow[] {
  const ref = r.reference;
  const real = r.realised;
  const est = r.estimated;
  const cmp = r.comparison;
  const ci = real?.roc_auc_ci;
  return [
    {
      key: "roc_auc",
      label: "ROC AUC",
      training: dec3(ref?.roc_auc),
      realised: real
        ? `${dec3(real.roc_auc)}${ci ? ` (95% CI ${dec3(ci.lower)}–${dec3(ci.upper)})` : ""}`
        : NONE,
      estimated: dec3(est?.expected_roc_auc),
      change: signed(dec3)(negate(cmp?.roc_auc_drop)),
    },
    {
      key: "default_rate",
      label: "Default rate",
      training: formatShare(ref?.default_rate),
      realised: formatShare(real?.default_rate),
      estimated: formatShare(est?.expected_default_rate),
      change: signedShare(cmp?.default_rate_change),
    },
    {
      key: "flagged_rate",
      label: "Reject rate",
      training: formatShare(ref?.flagged_rate),
      realised: formatShare(real?.flagged_rate),
      estimated: formatShare(est?.flagged_rate),
      change: signedShare(real && ref ? real.flagged_rate - ref.flagged_rate : null),
    },
    {
      key: "brier",
      label: "Brier score (lower is better)",
      training: dec3(ref?.brier),
      realised: dec3(real?.brier),
      estimated: NONE,
      change: signed(dec3)(cmp?.brier_change),
    },
    {
      key: "log_loss",
      label: "Log loss (lower is better)",
      training: dec3(ref?.log_loss),
      realised: dec3(real?.log_loss),
      estimated: NONE,
      change: signed(dec3)(real && ref ? real.log_loss - ref.log_loss : null),
    },
    {
      key: "cost_per_row",
      label: "Cost per application",
      training: dec3(ref?.cost_per_row),
      realised: dec3(real?.cost_per_row),
      estimated: dec3(est?.expected_cost_per_row),
      change: signed(dec3)(cmp?.cost_per_row_change),
    },
    {
      key: "cost",
      label: "Total cost",
      training: NONE,
      realised: real ? fixed(1)(real.cost) : NONE,
      estimated: est ? fixed(1)(est.expected_cost) : NONE,
      change: NONE,
    },
    {
      key: "calibration_error",
      label: "Calibration error (ECE)",
      training: NONE,
      realised: dec3(real?.calibration_error),
      estimated: NONE,
      change: NONE,
    },
    {
      key: "n_rows",
      label: "Rows",
      training: ref ? formatCount(ref.n_rows) : NONE,
      realised: real ? formatCount(real.n_rows) : NONE,
      estimated: est ? formatCount(est.n_rows) : NONE,
      change: NONE,
    },
  ];
}

function MetricsTable({ report }: { report: PerformanceReport }): JSX.Element {
  return (
    <div class="table-wrap">
      <table data-testid="metrics">
        <thead>
          <tr>
            <th>Metric</th>
            <th class="num">Training (test set)</th>
            <th class="num">Realised (labelled)</th>
            <th class="num">Estimated (CBPE, all)</th>
            <th class="num">Realised − training</th>
          </tr>
        </thead>
        <tbody>
          {metricRows(report).map((m) => (
            <tr key={m.key} data-metric={m.key}>
              <td>{m.label}</td>
              <td class="num">{m.training}</td>
              <td class="num" data-cell="realised">{m.realised}</td>
              <td class="num" data-cell="estimated">{m.estimated}</td>
              <td class="num">{m.change}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NoOutcomes({ ctx }: { ctx: SiteContext }): JSX.Element {
  const example = JSON.stringify({
    request_id: "<request_id of the prediction>",
    outcome: "default",
    observed_at: "2026-06-30T00:00:00Z",
  });
  return (
    <div class="note" data-testid="no-outcomes">
      <p>
        No outcome has been fed back for the predictions of this window, so only the estimates
        (CBPE: computed from the scores alone, assuming they are calibrated) are shown.
      </p>
      <p>
        To measure realised performance, report what happened to scored applications:{" "}
        <code>POST /feedback</code> with <code>{example}</code> (<code>outcome</code> is{" "}
        <code>default</code> or <code>repaid</code>; see{" "}
        <a href="/docs">the API docs</a>). For a demo, log simulated traffic with outcomes:{" "}
        <code>deno task simulate --outcomes 0.5</code>.
      </p>
      <p class="muted small">
        The site reads outcomes from the audit database ({ctx.store.location === ":memory:"
          ? "in memory"
          : <code>{ctx.store.location}</code>}).
      </p>
    </div>
  );
}

function Reliability({ report }: { report: PerformanceReport }): JSX.Element | null {
  const real = report.realised;
  if (!real) return null;
  return (
    <section>
      <h2>Calibration</h2>
      <p class="muted">
        Mean predicted probability of default vs the observed default rate, per score bin, on the
        {" "}
        {formatCount(real.n_rows)}{" "}
        labelled predictions: a calibrated model has equal bars. Mean score{" "}
        {dec3(real.mean_predicted)} vs observed default rate {dec3(real.default_rate)}.
      </p>
      <div class="charts">
        <Island
          name="reliability_chart"
          component={ReliabilityChartIsland}
          props={{ spec: reliabilitySpec(real.calibration) }}
        />
        <div class="table-wrap">
          <table data-testid="reliability">
            <thead>
              <tr>
                <th>Score bin</th>
                <th class="num">Labelled rows</th>
                <th class="num">Mean predicted</th>
                <th class="num">Observed default rate</th>
              </tr>
            </thead>
            <tbody>
              {real.calibration.map((b) => (
                <tr key={b.lower} data-bin={binLabel(b)}>
                  <td>{binLabel(b)}</td>
                  <td class="num">{formatCount(b.n)}</td>
                  <td class="num">{dec3(b.mean_predicted)}</td>
                  <td class="num">{dec3(b.observed_rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

function costNote(costs: CostMatrix): string {
  return `Cost uses the model's cost matrix: an approved applicant who defaults costs ${costs.false_negative}, ` +
    `a rejected applicant who would have repaid costs ${costs.false_positive}` +
    (costs.true_positive || costs.true_negative
      ? `, a rejected default ${costs.true_positive}, an approved repayment ${costs.true_negative}`
      : "") +
    ". Estimates assume the scores are calibrated: they move with the score mix, not with " +
    "outcomes, so they flag changes in who applies before any outcome is known.";
}

/** The performance routes. */
export function performanceRoutes(ctx: SiteContext): Hono<SiteEnv> {
  const app = new Hono<SiteEnv>();

  /** The window's report: the whole log's (cached for the overview), or one version's. */
  const reportOf = (key: string, since: string | undefined, version: string | undefined) => {
    if (version === undefined) return ctx.performance.fresh(key, since);
    // Without the version's artifacts: the served model's costs, no training reference.
    const meta = versionMeta(ctx, version) ??
      { cost_matrix: ctx.meta.cost_matrix, metrics: {}, model_version: version };
    return computeVersionPerformance(ctx.store, meta, { since, limit: ctx.performance.maxRows });
  };

  app.get("/api/performance", async (c) => {
    const spec = parseWindow(c.req.query("window"));
    const range = await resolveWindow(ctx, spec);
    c.header("cache-control", "no-store");
    return c.json(await reportOf(spec.key, range.since, c.req.query("version") || undefined));
  });

  app.get("/performance", async (c) => {
    const spec = parseWindow(c.req.query("window"));
    const version = c.req.query("version") || undefined;
    const range = await resolveWindow(ctx, spec);
    const [report, versions] = await Promise.all([
      reportOf(spec.key, range.since, version),
      versionsWithRows(ctx, range.fromMinute),
    ]);
    const inWindow = version === undefined
      ? (await ctx.store.rollups.totals({ fromMinute: range.fromMinute })).n
      : report.n_predictions;
    const costs = (version === undefined ? ctx.meta : versionMeta(ctx, version) ?? ctx.meta)
      .cost_matrix;
    const rule = report.alert_rule;
    const href = (k: string, v: string | undefined) =>
      `${ctx.base}/performance?window=${k}${
        v === undefined ? "" : `&version=${encodeURIComponent(v)}`
      }`;
    return renderPage(
      c,
      <Layout ctx={ctx} title="Model performance" active="performance" windowKey={spec.key}>
        <WindowPicker current={spec} href={(k) => href(k, version)} />
        <VersionPicker versions={versions} current={version} href={(v) => href(spec.key, v)} />
        {version !== undefined && (
          <p class="muted" data-testid="version-scope">
            Rows model <code>{version}</code>{" "}
            scored, answered or in the shadow (with its own scores and decisions), against its own
            training metrics{versionMeta(ctx, version)
              ? ""
              : " (its artifacts are not loaded here: none)"}.
          </p>
        )}
        <dl class="facts">
          <div>
            <dt>Predictions in the window</dt>
            <dd>
              <span data-testid="n-predictions">{formatCount(inWindow)}</span>
              {inWindow > report.n_predictions && (
                <span class="muted small row-cap" data-testid="row-cap">
                  (estimates on the {formatCount(report.n_predictions)} most recent)
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt>With a fed-back outcome (realised metrics)</dt>
            <dd data-testid="n-labelled">{formatCount(report.n_labelled)}</dd>
          </div>
          <div>
            <dt>Label coverage of the recent predictions</dt>
            <dd data-testid="coverage">{formatShare(report.label_coverage)}</dd>
          </div>
          <div>
            <dt>Alert rule</dt>
            <dd>
              realised ROC AUC more than {rule.max_auc_drop} below training, on at least{" "}
              {formatCount(rule.min_labelled)} labelled rows
            </dd>
          </div>
        </dl>
        {report.alerts.length > 0 && (
          <ul class="alerts" data-testid="performance-alerts">
            {report.alerts.map((a, i) => (
              <li
                key={i}
                class={`alert level-${a.severity === "high" ? "critical" : "warning"}`}
                data-alert="auc-drop"
              >
                <VerdictBadge verdict={a.severity} /> {a.message}
              </li>
            ))}
          </ul>
        )}
        {report.n_predictions === 0 && (
          <p class="note" data-testid="no-predictions">No predictions in this window.</p>
        )}
        {report.n_predictions > 0 && report.n_labelled === 0 && <NoOutcomes ctx={ctx} />}
        {report.n_labelled > 0 && report.n_labelled < rule.min_labelled && (
          <p class="note" data-testid="few-labels">
            Only {formatCount(report.n_labelled)}{" "}
            labelled predictions: the realised metrics are noisy (see the interval) and the AUC-drop
            alert waits for {formatCount(rule.min_labelled)}.
          </p>
        )}
        <section>
          <h2>Realised and estimated, vs training</h2>
          <MetricsTable report={report} />
          <p class="muted small">{costNote(costs)}</p>
        </section>
        <Reliability report={report} />
      </Layout>,
    );
  });
  return app;
}
