/**
 * The model lifecycle pages:
 *
 * - `GET /monitor/models`: the loaded versions with their roles (champion,
 *   shadow, loaded), rows scored and links to their comparison, drift and
 *   performance; the roll-back button; the change history.
 * - `GET /monitor/models/compare/<version>`: the version against the current
 *   champion on the same applications (`monitoring/model_comparison.ts`):
 *   score distributions, decision agreement, the swap set with realised
 *   default rates, realised AUC, Brier and cost side by side with intervals;
 *   promote and roll-back buttons; the change history.
 * - `POST /monitor/models/<version>/promote`, `POST /monitor/models/rollback`:
 *   the buttons' plain HTML forms (admin identity and the CSRF token checked
 *   by the site's access middleware), then back to the list
 *   (post/redirect/get). Refusals of the model admin (unknown version 404, a
 *   change that does not apply 409, incompatible features 422) show as the
 *   site's error page with their status.
 *
 * With one model (no model admin given to the site) the pages say there is
 * nothing to compare.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { JSX } from "preact";
import type { Actor, ModelVersionInfo } from "../../api/model_admin.ts";
import { ProblemError } from "../../api/http/problem.ts";
import type { CostMatrix } from "../../api/scoring/model_meta.ts";
import { Layout } from "../components/layout.tsx";
import {
  ChangeHistory,
  Distributions,
  RealisedMetrics,
  RoleBadge,
  SwapSet,
} from "../components/model_comparison.tsx";
import { renderPage } from "../components/render.tsx";
import { CsrfField } from "../components/viewer.tsx";
import { WindowPicker } from "../components/window_picker.tsx";
import type { SiteContext } from "../context.ts";
import { readForm } from "../lib/form_body.ts";
import { compareWithChampion, lineup, versionMeta } from "../lib/model_versions.ts";
import { resolveWindow } from "../lib/resolve_window.ts";
import { parseWindow } from "../lib/window.ts";
import { formatCount, formatProba, formatTime, NONE } from "../shared/format.ts";
import type { SiteEnv } from "../site_env.ts";

/** Longest reason kept with a change. */
export const MAX_REASON_CHARS = 500;
const HISTORY_ROWS = 50;

const versionPath = (v: string) => encodeURIComponent(v);

function OneModel({ ctx }: { ctx: SiteContext }): JSX.Element {
  return (
    <p class="note" data-testid="nothing-to-compare">
      This service serves one model (<code>{ctx.meta.model_version}</code>): there is nothing to
      compare. Serve several versions (a registry of artifacts directories) to score challengers in
      the shadow, compare them with the champion here, and promote or roll back.
    </p>
  );
}

function ReasonField(): JSX.Element {
  return (
    <label>
      Reason{" "}
      <input name="reason" maxLength={MAX_REASON_CHARS} placeholder="kept in the change history" />
    </label>
  );
}

function PromoteForm({ ctx, version }: { ctx: SiteContext; version: string }): JSX.Element {
  return (
    <form
      method="post"
      action={`${ctx.base}/models/${versionPath(version)}/promote`}
      class="inline-form"
      data-testid="promote-form"
    >
      <CsrfField />
      <ReasonField /> <button type="submit">Promote {version} to champion</button>
    </form>
  );
}

function RollbackForm({ ctx }: { ctx: SiteContext }): JSX.Element {
  return (
    <form
      method="post"
      action={`${ctx.base}/models/rollback`}
      class="inline-form"
      data-testid="rollback-form"
    >
      <CsrfField />
      <ReasonField /> <button type="submit">Roll back to the previous champion</button>
    </form>
  );
}

function VersionTable(
  { ctx, versions }: { ctx: SiteContext; versions: readonly ModelVersionInfo[] },
): JSX.Element {
  return (
    <div class="table-wrap">
      <table data-testid="model-versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Role</th>
            <th>Type</th>
            <th class="num">Threshold</th>
            <th>Created</th>
            <th class="num">Rows scored</th>
            <th>Pages</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const q = `?version=${encodeURIComponent(v.version)}`;
            return (
              <tr key={v.version} data-version={v.version}>
                <td>
                  <code>{v.version}</code>
                </td>
                <td>
                  <RoleBadge role={v.role} />
                </td>
                <td>{v.model_type}</td>
                <td class="num">{formatProba(v.threshold)}</td>
                <td>{v.created_at ? formatTime(v.created_at) : NONE}</td>
                <td class="num">{formatCount(v.rows_scored)}</td>
                <td>
                  {v.role !== "champion" && (
                    <>
                      <a href={`${ctx.base}/models/compare/${versionPath(v.version)}`}>
                        compare with the champion
                      </a>
                      {" · "}
                    </>
                  )}
                  <a href={`${ctx.base}/drift${q}`}>drift</a>
                  {" · "}
                  <a href={`${ctx.base}/performance${q}`}>performance</a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const DONE: Record<string, string> = {
  promote: "Promoted: the new champion answers from now on.",
  rollback: "Rolled back to the previous champion.",
};

function costNote(costs: CostMatrix): string {
  return `Cost per application uses the champion's cost matrix for both models' decisions: an ` +
    `approved default costs ${costs.false_negative}, a rejected good applicant ` +
    `${costs.false_positive}.`;
}

function actor(c: Context<SiteEnv>, form: Record<string, unknown>): Actor {
  const reason = typeof form.reason === "string" ? form.reason.trim() : "";
  if (reason.length > MAX_REASON_CHARS) {
    throw new ProblemError(
      422,
      "validation",
      `the reason is ${reason.length} characters long: keep it to ${MAX_REASON_CHARS}`,
    );
  }
  return { keyId: c.get("identity")?.id ?? "", reason };
}

/** The model lifecycle routes. */
export function modelsRoutes(ctx: SiteContext): Hono<SiteEnv> {
  const app = new Hono<SiteEnv>();

  app.get("/models", async (c) => {
    const line = await lineup(ctx.models);
    const done = DONE[c.req.query("done") ?? ""];
    if (!line) {
      return renderPage(
        c,
        <Layout ctx={ctx} title="Models" active="models">
          <OneModel ctx={ctx} />
        </Layout>,
      );
    }
    const changes = await ctx.models!.changes(HISTORY_ROWS);
    return renderPage(
      c,
      <Layout ctx={ctx} title="Models" active="models">
        {done && <p class="ok-note" data-testid="done">{done}</p>}
        <p class="muted">
          The champion answers; shadows score the same applications without answering (their scores
          are logged for comparison); loaded versions wait, e.g. the previous champion kept for a
          roll-back.
        </p>
        <VersionTable ctx={ctx} versions={line.versions} />
        <RollbackForm ctx={ctx} />
        <ChangeHistory changes={changes} />
      </Layout>,
    );
  });

  app.get("/models/compare/:version", async (c) => {
    const version = c.req.param("version");
    const title = `Compare ${version} with the champion`;
    const line = await lineup(ctx.models);
    if (!line) {
      return renderPage(
        c,
        <Layout ctx={ctx} title={title} active="models">
          <OneModel ctx={ctx} />
        </Layout>,
      );
    }
    const info = line.versions.find((v) => v.version === version);
    if (!info) {
      throw new ProblemError(
        404,
        "not-found",
        `no model version ${version} is loaded: see ${ctx.base}/models for the loaded ones`,
      );
    }
    const champion = line.champion;
    const spec = parseWindow(c.req.query("window") ?? "all");
    const range = await resolveWindow(ctx, spec);
    const changes = await ctx.models!.changes(HISTORY_ROWS);
    const body = (content: JSX.Element) =>
      renderPage(
        c,
        <Layout ctx={ctx} title={title} active="models">
          {content}
          <ChangeHistory changes={changes} />
        </Layout>,
      );
    if (!champion || champion.version === version) {
      return body(
        <p class="note" data-testid="is-champion">
          <code>{version}</code>{" "}
          is the champion: compare a shadow or a loaded version with it from the{" "}
          <a href={`${ctx.base}/models`}>model list</a>.
        </p>,
      );
    }
    const { comparison, capped } = await compareWithChampion(ctx, {
      champion: champion.version,
      challenger: version,
      since: range.since,
      maxLabelled: ctx.performance.maxRows,
    });
    const costs = (versionMeta(ctx, champion.version) ?? ctx.meta).cost_matrix;
    return body(
      <>
        <WindowPicker
          current={spec}
          href={(k) => `${ctx.base}/models/compare/${versionPath(version)}?window=${k}`}
        />
        <dl class="facts">
          <div>
            <dt>Challenger</dt>
            <dd>
              <code>{version}</code> <RoleBadge role={info.role} />
            </dd>
          </div>
          <div>
            <dt>Champion</dt>
            <dd>
              <code>{champion.version}</code>
            </dd>
          </div>
          <div>
            <dt>Applications both scored</dt>
            <dd>
              <span data-testid="n-paired">{formatCount(comparison.n_rows)}</span>
              {capped && (
                <span class="muted small row-cap" data-testid="pairs-cap">
                  (the most recent of each direction: the window holds more)
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt>Answered by</dt>
            <dd>
              champion {formatCount(comparison.answered_by.champion)}, challenger{" "}
              {formatCount(comparison.answered_by.challenger)}
            </dd>
          </div>
          <div>
            <dt>With an outcome</dt>
            <dd data-testid="n-labelled">{formatCount(comparison.n_labelled)}</dd>
          </div>
        </dl>
        <PromoteForm ctx={ctx} version={version} />
        <RollbackForm ctx={ctx} />
        {comparison.n_rows === 0
          ? (
            <p class="note" data-testid="no-pairs">
              No application in this window was scored by both: switch <code>{version}</code>{" "}
              to the shadow to score live traffic beside the champion.
            </p>
          )
          : (
            <>
              <Distributions comparison={comparison} />
              <SwapSet comparison={comparison} />
              <RealisedMetrics comparison={comparison} costNote={costNote(costs)} />
            </>
          )}
      </>,
    );
  });

  const needModels = () => {
    if (!ctx.models) {
      throw new ProblemError(
        409,
        "conflict",
        "this service serves one model: nothing to change",
      );
    }
    return ctx.models;
  };

  app.post("/models/rollback", async (c) => {
    const models = needModels();
    await models.rollback(actor(c, await readForm(c)));
    return c.redirect(`${ctx.base}/models?done=rollback`, 303);
  });

  app.post("/models/:version/promote", async (c) => {
    const models = needModels();
    await models.promote(c.req.param("version"), actor(c, await readForm(c)));
    return c.redirect(`${ctx.base}/models?done=promote`, 303);
  });
  return app;
}
