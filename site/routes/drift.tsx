/**
 * `GET /monitor/drift`: the latest drift report (per-feature PSI with
 * verdicts and noise floors, reference-vs-production bucket shares, missing
 * rates, score drift, alerts). `POST /monitor/drift`: recompute now with the
 * monitoring library, in-process, then redirect back (post/redirect/get).
 *
 * @module
 */
import { Hono } from "hono";
import type { JSX } from "preact";
import type { SiteEnv } from "../site_env.ts";
import type { DriftReport, FeatureDrift } from "../../monitoring/drift_report.ts";
import type { PerformanceReport } from "../../monitoring/performance.ts";
import { DEFAULT_LIMIT } from "../../monitoring/run_drift.ts";
import { VerdictBadge } from "../components/badges.tsx";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { CsrfField } from "../components/viewer.tsx";
import { renderPage } from "../components/render.tsx";
import type { SiteContext } from "../context.ts";
import { resolveWindow } from "../lib/resolve_window.ts";
import { versionHasRows, versionsWithRows } from "../lib/model_versions.ts";
import { VersionPicker } from "../components/version_picker.tsx";
import type { ModelMeta } from "../../api/scoring/model_meta.ts";
import type { ReferenceProfile } from "../../monitoring/reference_profile.ts";
import DriftBarsIsland from "../islands/drift_bars.tsx";
import { recomputeDrift } from "../lib/drift.ts";
import { readForm } from "../lib/form_body.ts";
import { parseWindow, WINDOWS } from "../lib/window.ts";
import { formatCount, formatShare, formatTime, NONE } from "../shared/format.ts";
import {
  AlertsSection,
  ChunkSection,
  DataQualitySection,
  HistorySection,
  MultivariateSection,
} from "../components/drift_sections.tsx";
import type { BarChartSpec } from "../shared/types.ts";

const num = (x: number | null | undefined, d = 3) =>
  x === null || x === undefined ? NONE : x.toFixed(d);

const signedShare = (x: number | null) =>
  x === null ? NONE : `${x > 0 ? "+" : ""}${(100 * x).toFixed(1)} pt`;

function barsSpec(id: string, title: string, f: Pick<FeatureDrift, "bins">): BarChartSpec {
  return {
    id,
    title,
    unit: "share",
    labels: f.bins.map((b) => b.label),
    series: [
      { label: "Reference", values: f.bins.map((b) => b.ref_share), color: "#8c959f" },
      { label: "Production", values: f.bins.map((b) => b.prod_share), color: "#0969da" },
    ],
  };
}

function FeatureTable({ report }: { report: DriftReport }): JSX.Element {
  return (
    <div class="table-wrap">
      <table data-testid="feature-table">
        <thead>
          <tr>
            <th>Feature</th>
            <th class="num">PSI</th>
            <th class="num">Noise floor</th>
            <th>Verdict</th>
            <th class="num">Missing (ref → prod)</th>
            <th class="num">Δ missing</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(report.features).map(([name, f]) => (
            <tr key={name} data-feature={name} class={`verdict-row-${f.verdict}`}>
              <td>
                <a href={`#bars-${name}`}>{name}</a> <span class="muted small">{f.type}</span>
              </td>
              <td class="num">{num(f.psi)}</td>
              <td class="num">{num(f.noise_floor)}</td>
              <td>
                <VerdictBadge verdict={f.verdict} />
              </td>
              <td class="num">
                {formatShare(f.missing_ref)} → {formatShare(f.missing_prod)}
              </td>
              <td class={`num${f.missing_alert ? " flag" : ""}`}>
                {signedShare(f.missing_delta)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PerformanceSummary(
  { report, base }: { report: PerformanceReport; base: string },
): JSX.Element {
  const real = report.realised;
  return (
    <section>
      <h2>Model performance in this window</h2>
      <p data-testid="report-performance">
        {formatCount(report.n_labelled)} of {formatCount(report.n_predictions)}{" "}
        predictions have a fed-back outcome ({formatShare(report.label_coverage)}). {real
          ? `Realised ROC AUC ${num(real.roc_auc)}, default rate ${
            formatShare(real.default_rate)
          }; `
          : ""}
        expected default rate (CBPE) {formatShare(report.estimated?.expected_default_rate)}.{" "}
        <a href={`${base}/performance`}>Performance page</a>
      </p>
    </section>
  );
}

function sourceText(origin: string, intervalMinutes: number | undefined): string {
  if (origin === "scheduler") {
    return `scheduled report${intervalMinutes ? ` (every ${intervalMinutes} min)` : ""}`;
  }
  if (origin === "site") return "this site (recompute)";
  return `deno task drift (${origin})`;
}

function ReportView(
  { report, origin, base, intervalMinutes }: {
    report: DriftReport;
    origin: string;
    base: string;
    intervalMinutes?: number;
  },
): JSX.Element {
  const w = report.window;
  const th = report.thresholds;
  const s = report.score_drift;
  return (
    <>
      <section>
        <h2>
          Latest report <VerdictBadge verdict={report.overall_verdict} />
        </h2>
        <dl class="facts">
          <div>
            <dt>Computed</dt>
            <dd data-testid="generated-at">{formatTime(report.generated_at)}</dd>
          </div>
          <div>
            <dt>Source</dt>
            <dd data-testid="report-source">{sourceText(origin, intervalMinutes)}</dd>
          </div>
          <div>
            <dt>Production rows</dt>
            <dd data-testid="n-production">{formatCount(w.n_production)}</dd>
          </div>
          <div>
            <dt>Reference rows</dt>
            <dd>{formatCount(w.n_reference)}</dd>
          </div>
          <div>
            <dt>Rows logged</dt>
            <dd>
              {formatTime(w.first_ts)} → {formatTime(w.last_ts)}
            </dd>
          </div>
          <div>
            <dt>Rules</dt>
            <dd>
              PSI bands {th.moderate} / {th.high} / {th.severe}, counted from {th.noise_multiple}
              × the noise floor; at least {th.min_rows} rows
            </dd>
          </div>
        </dl>
        {report.alerts.length > 0 && (
          <ul class="alerts">
            {report.alerts.map((a, i) => (
              <li key={i} class={`alert level-${a.severity === "info" ? "info" : "warning"}`}>
                <VerdictBadge verdict={a.severity} /> {a.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      {report.performance && <PerformanceSummary report={report.performance} base={base} />}
      <section>
        <h2>Features</h2>
        <FeatureTable report={report} />
      </section>
      <MultivariateSection report={report} />
      <DataQualitySection report={report} />
      <ChunkSection report={report} />
      <section>
        <h2>
          Model score <VerdictBadge verdict={s.verdict} />
        </h2>
        <p>
          proba_default PSI {num(s.psi)} (noise floor {num(s.noise_floor)}); reject rate{" "}
          {formatShare(s.decision_rate_ref)} in the reference → {formatShare(s.decision_rate_prod)}
          {" "}
          in production ({signedShare(s.delta)}).
        </p>
      </section>
      <section>
        <h2>Reference vs production, per feature</h2>
        <div class="charts">
          <Island
            name="drift_bars"
            component={DriftBarsIsland}
            props={{ spec: barsSpec("bars-proba_default", "proba_default", s) }}
          />
          {Object.entries(report.features).map(([name, f]) => (
            <Island
              key={name}
              name="drift_bars"
              component={DriftBarsIsland}
              props={{
                spec: barsSpec(`bars-${name}`, `${name}: PSI ${num(f.psi)} (${f.verdict})`, f),
              }}
            />
          ))}
        </div>
      </section>
    </>
  );
}

function RecomputeForm(
  { ctx, available, reason, version }: {
    ctx: SiteContext;
    available: boolean;
    reason?: string;
    version?: string;
  },
): JSX.Element {
  return (
    <form method="post" action={`${ctx.base}/drift`} class="inline-form">
      <CsrfField />
      {version !== undefined && <input type="hidden" name="version" value={version} />}
      <label>
        Predictions{" "}
        <select name="scope" disabled={!available}>
          <option value="recent">latest {formatCount(DEFAULT_LIMIT)} (like deno task drift)</option>
          {WINDOWS.map((w) => (
            <option key={w.key} value={w.key}>
              {w.minutes === null ? "all" : `last ${w.label}`} (up to{" "}
              {formatCount(ctx.drift.maxRows)} most recent)
            </option>
          ))}
        </select>
      </label>{" "}
      <button type="submit" disabled={!available}>Recompute now</button>
      {reason && <span class="muted small">{reason}</span>}
    </form>
  );
}

/** The drift routes. */
export function driftRoutes(ctx: SiteContext): Hono<SiteEnv> {
  const app = new Hono<SiteEnv>();

  /** The reference of the page: the served model's, or a version's own. */
  const referenceOf = async (
    version: string | undefined,
  ): Promise<
    { ok: true; profile: ReferenceProfile; meta: ModelMeta } | { ok: false; error: string }
  > => {
    if (
      version === undefined || (version === ctx.meta.model_version && !ctx.modelArtifacts(version))
    ) {
      const r = await ctx.reference();
      return r.ok
        ? { ok: true, profile: r.profile, meta: ctx.meta }
        : { ok: false, error: r.error };
    }
    const r = await ctx.versionDrift.reference(version);
    return "error" in r ? { ok: false, error: r.error } : { ok: true, ...r };
  };

  const page = async (
    message?: { text: string; kind: "ok" | "note" },
    version?: string,
  ) => {
    const [latest, reference, history, alerts, deliveries, versions] = await Promise.all([
      version === undefined
        ? ctx.latestDrift()
        : Promise.resolve(ctx.versionDrift.latest.get(version)).then((report) =>
          report ? { report, origin: "site" } : null
        ),
      referenceOf(version),
      ctx.store.monitor.history.list({ limit: 200 }),
      ctx.store.monitor.alerts.all(),
      ctx.store.monitor.deliveries.recent(20),
      versionsWithRows(ctx, undefined),
    ]);
    return (
      <Layout ctx={ctx} title="Drift" active="drift">
        <VersionPicker
          versions={versions}
          current={version}
          href={(v) =>
            `${ctx.base}/drift${v === undefined ? "" : `?version=${encodeURIComponent(v)}`}`}
        />
        {version !== undefined && (
          <p class="muted" data-testid="version-scope">
            Rows model <code>{version}</code>{" "}
            scored, answered or in the shadow (with its own scores), against its own reference
            sample. Reports of one version are kept by this process until it restarts; the stored
            latest report stays the whole log's.
          </p>
        )}
        <RecomputeForm
          ctx={ctx}
          available={reference.ok}
          reason={reference.ok ? undefined : `reference sample unavailable: ${reference.error}`}
          version={version}
        />
        {message && <p class={message.kind === "ok" ? "ok-note" : "note"}>{message.text}</p>}
        {latest
          ? (
            <ReportView
              report={latest.report}
              origin={latest.origin}
              base={ctx.base}
              intervalMinutes={ctx.monitoring.intervalMinutes}
            />
          )
          : (
            <p data-testid="no-report">
              {version === undefined
                ? "No drift report yet: the service computes one by itself once enough predictions are logged, or recompute one above."
                : `No drift report of ${version} yet: recompute one above.`}
            </p>
          )}
        <HistorySection history={history} features={ctx.meta.features.map((f) => f.name)} />
        <AlertsSection
          alerts={alerts}
          deliveries={deliveries}
          webhook={ctx.monitoring.webhook ?? deliveries.length > 0}
        />
      </Layout>
    );
  };

  app.get("/drift", async (c) => {
    const done = c.req.query("computed") === "1";
    const version = c.req.query("version") || undefined;
    return renderPage(
      c,
      await page(done ? { text: "Report recomputed.", kind: "ok" } : undefined, version),
    );
  });

  app.post("/drift", async (c) => {
    const form = await readForm(c);
    const version = typeof form.version === "string" && form.version !== ""
      ? form.version
      : undefined;
    const reference = await referenceOf(version);
    if (!reference.ok) {
      return renderPage(
        c,
        await page({ text: `Cannot recompute: ${reference.error}`, kind: "note" }, version),
        409,
      );
    }
    const nowMs = ctx.now().getTime();
    const last = ctx.drift.lastRunMs;
    if (ctx.drift.running || (last !== null && nowMs - last < ctx.drift.minIntervalMs)) {
      const wait = Math.max(
        1,
        Math.ceil((ctx.drift.minIntervalMs - (nowMs - (last ?? nowMs))) / 1000),
      );
      c.header("retry-after", String(wait));
      return renderPage(
        c,
        await page(
          { text: `A report was just computed; try again in ${wait} s.`, kind: "note" },
          version,
        ),
        429,
      );
    }
    const scope = typeof form.scope === "string" ? form.scope : "recent";
    const range = scope === "recent" ? null : await resolveWindow(ctx, parseWindow(scope));
    const empty = version === undefined
      ? (await ctx.store.rollups.totals({ fromMinute: range?.fromMinute })).n === 0
      : !(await versionHasRows(ctx.store, version, range?.since));
    if (empty) {
      return renderPage(
        c,
        await page({
          text: "No predictions in the selected window: nothing to compare.",
          kind: "note",
        }, version),
        409,
      );
    }
    ctx.drift.lastRunMs = nowMs;
    ctx.drift.running = true;
    try {
      const report = await recomputeDrift(ctx.store, reference.profile, {
        since: range?.since,
        limit: range ? ctx.drift.maxRows : DEFAULT_LIMIT,
        now: ctx.now,
        meta: reference.meta,
        modelVersion: version,
      });
      if (version !== undefined) ctx.versionDrift.latest.set(version, report);
    } finally {
      ctx.drift.running = false;
    }
    const q = version === undefined ? "" : `&version=${encodeURIComponent(version)}`;
    return c.redirect(`${ctx.base}/drift?computed=1${q}`, 303);
  });
  return app;
}
