/**
 * `GET /monitor/predictions`: the audit-log browser, newest first, keyset
 * pagination by id (`before` / `after`), filters by window, decision, model
 * version, or an exact request id. `GET /monitor/predictions/:id`: one row
 * with its input features and reason codes (stored with the row, or computed
 * now when it was logged without them).
 *
 * Every logged value is rendered as text (Preact escapes it); nothing logged
 * ever reaches `dangerouslySetInnerHTML`.
 *
 * @module
 */
import { Hono } from "hono";
import type { JSX } from "preact";
import type { SiteEnv } from "../site_env.ts";
import type { PredictionSummary } from "../../api/store/mod.ts";
import { type Decision, decisionLabel } from "../../api/scoring/model_meta.ts";
import { Layout } from "../components/layout.tsx";
import { ReasonTable } from "../components/reason_table.tsx";
import { renderPage } from "../components/render.tsx";
import type { SiteContext } from "../context.ts";
import { createRowReasons, type RowReasons } from "../lib/reasons.ts";
import { resolveWindow } from "../lib/resolve_window.ts";
import { notFoundPage } from "./errors.tsx";
import { parseWindow, WINDOWS } from "../lib/window.ts";
import { formatCount, formatMs, formatProba, formatTime } from "../shared/format.ts";

/** Rows per page. */
export const PAGE_SIZE = 50;

const positiveInt = (v: string | undefined): number | undefined =>
  v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined;

function DecisionBadge({ decision }: { decision: Decision }): JSX.Element {
  const label = decisionLabel(decision);
  return <span class={`badge decision-${label}`}>{label}</span>;
}

function Rows({ rows, base }: { rows: PredictionSummary[]; base: string }): JSX.Element {
  return (
    <div class="table-wrap">
      <table data-testid="predictions">
        <thead>
          <tr>
            <th class="num">Id</th>
            <th>Time</th>
            <th class="wide-only">Request id</th>
            <th class="wide-only">Model</th>
            <th class="num">proba_default</th>
            <th>Decision</th>
            <th class="num wide-only">Latency</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td class="num">
                <a href={`${base}/predictions/${r.id}`}>{r.id}</a>
              </td>
              <td class="nowrap">{formatTime(r.ts_utc)}</td>
              <td class="wide-only">
                <code class="ellipsis">{r.request_id}</code>
              </td>
              <td class="wide-only">
                <code>{r.model_version}</code>
              </td>
              <td class="num">{formatProba(r.proba_default)}</td>
              <td>
                <DecisionBadge decision={r.decision} />
              </td>
              <td class="num wide-only">{formatMs(r.latency_ms)}</td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} class="muted">No predictions match.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function Reasons({ reasons }: { reasons: RowReasons }): JSX.Element {
  return (
    <section>
      <h2>Reasons</h2>
      {reasons.source === "unavailable"
        ? <p class="muted" data-testid="reasons-unavailable">No reason codes: {reasons.why}.</p>
        : (
          <>
            <p class="muted small" data-testid={`reasons-${reasons.source}`}>
              {reasons.source === "stored"
                ? "Stored with the prediction (the caller asked for an explanation)."
                : "Computed now from the logged features with the model in service (the caller " +
                  "did not ask for an explanation, so none was stored)."}{" "}
              Features pushing the score towards default, largest first.
            </p>
            <ReasonTable reasons={reasons.reasons} />
          </>
        )}
    </section>
  );
}

/** The log browser routes. */
export function predictionsRoutes(ctx: SiteContext): Hono<SiteEnv> {
  const app = new Hono<SiteEnv>();
  const reasonsOf = createRowReasons(ctx.meta, ctx.explainer);

  app.get("/predictions", async (c) => {
    const q = c.req.query();
    const spec = parseWindow(q.window ?? "all");
    const decisionParam = q.decision === "approve" || q.decision === "reject"
      ? q.decision
      : undefined;
    const decision = decisionParam === undefined ? undefined : decisionParam === "reject" ? 1 : 0;
    const modelVersion = q.model_version || undefined;
    const requestId = q.request_id?.trim() || undefined;
    const before = positiveInt(q.before);
    const after = before === undefined ? positiveInt(q.after) : undefined;
    const versions = await ctx.store.rollups.versions();

    let rows: PredictionSummary[];
    let matching: number | null = null;
    let hasOlder = false;
    let hasNewer = false;
    if (requestId !== undefined) {
      rows = (await ctx.store.predictions.findByRequestId(requestId))
        .map(({ input_json: _, ...r }) => r)
        .sort((a, b) => b.id - a.id);
    } else {
      const range = await resolveWindow(ctx, spec);
      const totals = await ctx.store.rollups.totals({ fromMinute: range.fromMinute, modelVersion });
      matching = decision === undefined
        ? totals.n
        : decision === 1
        ? totals.rejects
        : totals.n - totals.rejects;
      rows = matching === 0 ? [] : await ctx.store.predictions.list({
        limit: PAGE_SIZE + 1,
        beforeId: before,
        afterId: after,
        minId: totals.minId ?? undefined,
        maxId: totals.maxId ?? undefined,
        decision,
        modelVersion,
        since: range.since,
      });
      if (after !== undefined) {
        hasNewer = rows.length > PAGE_SIZE;
        if (hasNewer) rows = rows.slice(1);
        hasOlder = true;
      } else {
        hasOlder = rows.length > PAGE_SIZE;
        rows = rows.slice(0, PAGE_SIZE);
        hasNewer = before !== undefined;
      }
    }

    const params = (cursor: Record<string, string>) => {
      const p = new URLSearchParams();
      p.set("window", spec.key);
      if (decisionParam) p.set("decision", decisionParam);
      if (modelVersion) p.set("model_version", modelVersion);
      for (const [k, v] of Object.entries(cursor)) p.set(k, v);
      return `${ctx.base}/predictions?${p}`;
    };
    return renderPage(
      c,
      <Layout ctx={ctx} title="Predictions" active="predictions" windowKey={spec.key}>
        <form method="get" action={`${ctx.base}/predictions`} class="filters">
          <label>
            Window{" "}
            <select name="window">
              {WINDOWS.map((w) => (
                <option key={w.key} value={w.key} selected={w.key === spec.key}>{w.label}</option>
              ))}
            </select>
          </label>
          <label>
            Decision{" "}
            <select name="decision">
              <option value="">any</option>
              <option value="approve" selected={decisionParam === "approve"}>approve</option>
              <option value="reject" selected={decisionParam === "reject"}>reject</option>
            </select>
          </label>
          <label>
            Model version{" "}
            <select name="model_version">
              <option value="">any</option>
              {versions.map((v) => (
                <option
                  key={v.modelVersion}
                  value={v.modelVersion}
                  selected={v.modelVersion === modelVersion}
                >
                  {v.modelVersion}
                </option>
              ))}
            </select>
          </label>
          <label>
            Request id <input name="request_id" value={requestId ?? ""} size={24} />
          </label>
          <button type="submit">Filter</button>
        </form>
        {matching !== null && (
          <p class="muted" data-testid="matching">
            {formatCount(matching)} matching predictions in the window, newest first.
          </p>
        )}
        <Rows rows={rows} base={ctx.base} />
        <nav class="pager" aria-label="Pages">
          {hasNewer && <a href={params({})}>« Newest</a>}
          {hasNewer && rows.length > 0 && (
            <a href={params({ after: String(rows[0].id) })} rel="prev">‹ Newer</a>
          )}
          {hasOlder && rows.length > 0 && (
            <a href={params({ before: String(rows[rows.length - 1].id) })} rel="next">Older ›</a>
          )}
        </nav>
      </Layout>,
    );
  });

  app.get("/predictions/:id", async (c) => {
    const id = positiveInt(c.req.param("id"));
    const row = id === undefined ? undefined : await ctx.store.predictions.get(id);
    if (row === undefined) return notFoundPage(c, ctx);
    let input: Record<string, unknown> | null = null;
    try {
      const parsed = JSON.parse(row.input_json);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) input = parsed;
    } catch {
      input = null;
    }
    const known = new Set(ctx.meta.features.map((f) => f.name));
    const extra = input ? Object.keys(input).filter((k) => !known.has(k)) : [];
    const reasons = await reasonsOf(row);
    const show = (v: unknown) =>
      v === null || v === undefined
        ? <span class="muted">missing</span>
        : <code>{typeof v === "string" ? v : JSON.stringify(v)}</code>;
    return renderPage(
      c,
      <Layout ctx={ctx} title={`Prediction ${row.id}`} active="predictions">
        <p>
          <a href={`${ctx.base}/predictions`}>« All predictions</a>
        </p>
        <dl class="facts">
          <div>
            <dt>Time</dt>
            <dd>{formatTime(row.ts_utc)}</dd>
          </div>
          <div>
            <dt>Request id</dt>
            <dd>
              <code>{row.request_id}</code>
            </dd>
          </div>
          <div>
            <dt>Decision</dt>
            <dd>
              <DecisionBadge decision={row.decision} />
            </dd>
          </div>
          <div>
            <dt>proba_default</dt>
            <dd>{formatProba(row.proba_default)} (threshold {formatProba(row.threshold)})</dd>
          </div>
          <div>
            <dt>Model version</dt>
            <dd>
              <code>{row.model_version}</code>
              {row.model_version !== ctx.meta.model_version && (
                <span class="muted small">(not the model in service)</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Latency</dt>
            <dd>{formatMs(row.latency_ms)}</dd>
          </div>
        </dl>
        <Reasons reasons={reasons} />
        <h2>Input features</h2>
        {input === null
          ? (
            <p class="note">
              The logged input is not a JSON object: <code>{row.input_json}</code>
            </p>
          )
          : (
            <div class="table-wrap">
              <table data-testid="features">
                <thead>
                  <tr>
                    <th>Feature</th>
                    <th>Value</th>
                    <th>Description</th>
                  </tr>
                </thead>
                <tbody>
                  {ctx.meta.features.map((f) => (
                    <tr key={f.name}>
                      <td>{f.name}</td>
                      <td>{show(input![f.name])}</td>
                      <td class="muted">{f.description ?? ""}</td>
                    </tr>
                  ))}
                  {extra.map((k) => (
                    <tr key={`extra-${k}`}>
                      <td>{k}</td>
                      <td>{show(input![k])}</td>
                      <td class="muted">not a feature of the model in service</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </Layout>,
    );
  });
  return app;
}
