/**
 * `GET /monitor` (overview) and `GET /monitor/api/overview` (its live JSON):
 * traffic, decisions, latency and errors over the window, the service's memory
 * and CPU, active alerts (drift, latency, errors, score mix, AUC drop), model
 * in service and per-route request statistics.
 *
 * @module
 */
import { Hono } from "hono";
import type { JSX } from "preact";
import { DEFAULT_MAX_AUC_DROP, DEFAULT_MIN_LABELLED } from "../../monitoring/performance.ts";
import type { SiteEnv } from "../site_env.ts";
import { LevelBadge } from "../components/badges.tsx";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { renderPage } from "../components/render.tsx";
import { WindowPicker } from "../components/window_picker.tsx";
import type { SiteContext } from "../context.ts";
import OverviewLiveIsland from "../islands/overview_live.tsx";
import { ALERT_LIMITS, overviewAlerts, type SiteAlert } from "../lib/alerts.ts";
import { driftAlertInputs } from "../lib/drift.ts";
import { overviewData, type OverviewFacts, SCORING_ROUTES } from "../lib/overview.ts";
import { performanceAlertInputs } from "../lib/performance.ts";
import { processKpis } from "../lib/process_kpis.ts";
import { scoreMix } from "../lib/reference.ts";
import { resolveWindow } from "../lib/resolve_window.ts";
import { parseWindow, type WindowRange } from "../lib/window.ts";
import { formatCount, formatMs, formatShare, formatTime } from "../shared/format.ts";
import { describeReasonMethod } from "../../api/scoring/reason_codes.ts";

function AlertList({ alerts, base }: { alerts: SiteAlert[]; base: string }): JSX.Element {
  if (alerts.length === 0) {
    return <p class="ok-note" data-testid="no-alerts">No active alerts.</p>;
  }
  return (
    <ul class="alerts" data-testid="alerts">
      {alerts.map((a) => (
        <li key={a.kind} class={`alert level-${a.level}`} data-alert={a.kind}>
          <LevelBadge level={a.level} /> <strong>{a.title}</strong> <span>{a.detail}</span>
          {a.href && <a href={`${base}${a.href}`}>details</a>}
        </li>
      ))}
    </ul>
  );
}

function RoutesTable({ facts }: { facts: OverviewFacts }): JSX.Element {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>Route</th>
            <th class="num">Requests</th>
            <th class="num">4xx</th>
            <th class="num">5xx</th>
            <th class="num">p50</th>
            <th class="num">p95</th>
            <th class="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {facts.routes.map((r) => (
            <tr key={r.route}>
              <td>
                <code>{r.route}</code>
              </td>
              <td class="num">{formatCount(r.n)}</td>
              <td class="num">{formatCount(r.clientErrors)}</td>
              <td class="num">{formatCount(r.serverErrors)}</td>
              <td class="num">{formatMs(r.p50Ms)}</td>
              <td class="num">{formatMs(r.p95Ms)}</td>
              <td class="num">{formatMs(r.p99Ms)}</td>
            </tr>
          ))}
          {facts.routes.length === 0 && (
            <tr>
              <td colSpan={7} class="muted">No requests in this window.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** The overview of a window, with the process's memory and CPU among the live tiles. */
async function overviewOf(ctx: SiteContext, range: WindowRange, now: Date) {
  const data = await overviewData(ctx.store, range, { now, threshold: ctx.meta.threshold });
  data.live.kpis.push(...processKpis(ctx.processUsage()));
  return data;
}

/** The overview routes. */
export function overviewRoutes(ctx: SiteContext): Hono<SiteEnv> {
  const app = new Hono<SiteEnv>();

  app.get("/api/overview", async (c) => {
    await ctx.flushRequestStats();
    const range = await resolveWindow(ctx, parseWindow(c.req.query("window")));
    c.header("cache-control", "no-store");
    return c.json((await overviewOf(ctx, range, ctx.now())).live);
  });

  app.get("/", async (c) => {
    await ctx.flushRequestStats();
    const spec = parseWindow(c.req.query("window"));
    const range = await resolveWindow(ctx, spec);
    const now = ctx.now();
    const { live, facts } = await overviewOf(ctx, range, now);
    const [reference, drift] = await Promise.all([ctx.reference(), ctx.latestDrift()]);
    const mix = reference.ok ? scoreMix(reference.scoreCounts, facts.totals.scoreCounts) : null;
    const alerts = overviewAlerts({
      now,
      drift: drift ? driftAlertInputs(drift.report) : null,
      requests: { n: facts.requests.n, serverErrors: facts.requests.serverErrors },
      scoring: {
        n: facts.scoring.n,
        clientErrors: facts.scoring.clientErrors,
        p50Ms: facts.scoring.p50Ms,
        p95Ms: facts.scoring.p95Ms,
      },
      scoreMix: mix,
      performance: performanceAlertInputs(await ctx.performance.cached(spec.key, range.since)),
    });
    const meta = ctx.meta;
    const liveUrl = `${ctx.base}/api/overview?window=${spec.key}`;
    return renderPage(
      c,
      <Layout ctx={ctx} title="Overview" active="overview" windowKey={spec.key}>
        <WindowPicker current={spec} href={(k) => `${ctx.base}?window=${k}`} />
        <section aria-labelledby="alerts-h">
          <h2 id="alerts-h">Active alerts</h2>
          <AlertList alerts={alerts} base={ctx.base} />
        </section>
        <Island
          name="overview_live"
          component={OverviewLiveIsland}
          props={{ initial: live, liveUrl, pollMs: ctx.livePollMs }}
        />
        <section class="grid-2">
          <div>
            <h2>Model in service</h2>
            <dl class="facts">
              <div>
                <dt>Version</dt>
                <dd>
                  <code>{meta.model_version}</code>
                </dd>
              </div>
              <div>
                <dt>Type</dt>
                <dd>{meta.model_type}</dd>
              </div>
              <div>
                <dt>Threshold</dt>
                <dd>{meta.threshold.toFixed(4)} (reject when proba_default ≥ threshold)</dd>
              </div>
              <div>
                <dt>Test ROC AUC</dt>
                <dd>{meta.metrics.test ? meta.metrics.test.roc_auc.toFixed(3) : "unknown"}</dd>
              </div>
              <div>
                <dt>Reason codes</dt>
                <dd data-testid="reason-method">{describeReasonMethod(meta.reasons)}</dd>
              </div>
              <div>
                <dt>Latest drift report</dt>
                <dd>{drift ? formatTime(drift.report.generated_at) : "none"}</dd>
              </div>
            </dl>
          </div>
          <div>
            <h2>Model versions in this window</h2>
            <ul class="plain">
              {facts.versions.map((v) => (
                <li key={v.modelVersion}>
                  <code>{v.modelVersion}</code>: {formatCount(v.n)} predictions, last{" "}
                  {formatTime(v.lastMinute * 60_000)}
                </li>
              ))}
              {facts.versions.length === 0 && <li class="muted">No predictions in this window.</li>}
            </ul>
          </div>
        </section>
        <section>
          <h2>Requests by route</h2>
          <RoutesTable facts={facts} />
          <p class="muted small">
            Alert limits: scoring ({SCORING_ROUTES.join(", ")}) p95 above{" "}
            {ALERT_LIMITS.latencyP95Ms} ms; 5xx above {formatShare(ALERT_LIMITS.serverErrorRate)}
            {" "}
            of requests; 4xx above {formatShare(ALERT_LIMITS.clientErrorRate)}{" "}
            of scoring requests (from {ALERT_LIMITS.minRequests}{" "}
            requests); score-mix and drift verdicts of moderate or worse; realised ROC AUC more than
            {" "}
            {DEFAULT_MAX_AUC_DROP} below training (from {DEFAULT_MIN_LABELLED}{" "}
            fed-back outcomes). Request statistics are flushed every few seconds; a crash can lose
            the last few seconds of them (never predictions).
          </p>
        </section>
      </Layout>,
    );
  });
  return app;
}
