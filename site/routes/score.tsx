/**
 * `GET /monitor/score`: a form with the model's features (defaults from the
 * metadata). `POST /monitor/score`: scores the applicant through the app's
 * predictor — the same path as `POST /predict`, logged to the audit log like
 * any prediction — and shows probability, threshold, a risk label and the
 * reason codes (the form asks for an explanation, stored with the row). A
 * plain HTML form: works without JavaScript.
 *
 * @module
 */
import { Hono } from "hono";
import type { JSX } from "preact";
import type { SiteEnv } from "../site_env.ts";
import type { PredictionResult } from "../../api/predictor.ts";
import { Layout } from "../components/layout.tsx";
import { ReasonTable } from "../components/reason_table.tsx";
import { CsrfField } from "../components/viewer.tsx";
import { renderPage } from "../components/render.tsx";
import type { SiteContext } from "../context.ts";
import { readForm } from "../lib/form_body.ts";
import { createFormParser, defaultFormValues, type FormValues } from "../lib/score_form.ts";
import { formatMs, formatProba } from "../shared/format.ts";

interface FormProps {
  ctx: SiteContext;
  values: FormValues;
  errors?: Record<string, string>;
}

function ScoreForm({ ctx, values, errors = {} }: FormProps): JSX.Element {
  return (
    <form method="post" action={`${ctx.base}/score`} class="score-form" novalidate>
      <CsrfField />
      <div class="fields">
        {ctx.meta.features.map((f) => {
          const id = `f-${f.name}`;
          const error = errors[f.name];
          const hint = f.type === "numeric"
            ? `number, training range ${f.min}–${f.max}; empty = missing`
            : "empty = missing";
          return (
            <div class={`field${error ? " invalid" : ""}`} key={f.name}>
              <label for={id}>{f.name}</label>
              {f.type === "numeric"
                ? (
                  <input
                    id={id}
                    name={f.name}
                    inputMode="decimal"
                    value={values[f.name] ?? ""}
                    aria-invalid={error ? "true" : undefined}
                    aria-describedby={`${id}-hint`}
                  />
                )
                : (
                  <select id={id} name={f.name} aria-describedby={`${id}-hint`}>
                    <option value="" selected={(values[f.name] ?? "") === ""}>(missing)</option>
                    {f.levels.map((level) => (
                      <option key={level} value={level} selected={values[f.name] === level}>
                        {level}
                      </option>
                    ))}
                  </select>
                )}
              <small id={`${id}-hint`} class="muted">
                {f.description ? `${f.description} · ` : ""}
                {hint}
              </small>
              {error && <small class="error" data-error={f.name}>{error}</small>}
            </div>
          );
        })}
      </div>
      <button type="submit">Score this applicant</button>{" "}
      <a href={`${ctx.base}/score`}>Reset to defaults</a>
    </form>
  );
}

function ResultPanel(
  { ctx, result, rowId }: { ctx: SiteContext; result: PredictionResult; rowId?: number },
): JSX.Element {
  const high = result.decision === 1;
  return (
    <section class={`result ${high ? "risk-high" : "risk-low"}`} aria-live="polite">
      <p class="risk-label" data-testid="risk-label">
        {high ? "High risk: reject" : "Low risk: approve"}
      </p>
      {result.reasons
        ? (
          <div class="reasons">
            <h2>Top reasons</h2>
            <ReasonTable reasons={result.reasons} />
          </div>
        )
        : (
          <p class="muted small" data-testid="reasons-unavailable">
            No reason codes: {result.reasons_unavailable
              ? `this model gives none (${result.reasons_unavailable}).`
              : "the service has no explainer."}
          </p>
        )}
      <dl class="facts">
        <div>
          <dt>Probability of default</dt>
          <dd data-testid="proba">{formatProba(result.proba_default)}</dd>
        </div>
        <div>
          <dt>Threshold</dt>
          <dd>{formatProba(result.threshold)} (reject when the probability reaches it)</dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd>
            <code>{result.model_version}</code>
          </dd>
        </div>
        <div>
          <dt>Logged as</dt>
          <dd>
            {rowId !== undefined
              ? <a href={`${ctx.base}/predictions/${rowId}`}>prediction {rowId}</a>
              : <code>{result.request_id}</code>} in {formatMs(result.latency_ms)}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/** The scoring form routes. */
export function scoreRoutes(ctx: SiteContext): Hono<SiteEnv> {
  const app = new Hono<SiteEnv>();
  const parse = createFormParser(ctx.meta);
  const defaults = defaultFormValues(ctx.meta);
  const intro = (
    <p class="muted">
      Defaults are the training medians (numbers) and most frequent levels. The applicant is scored
      by the same code as <code>POST /predict</code>{" "}
      (with an explanation) and logged in the audit log.
    </p>
  );

  app.get("/score", (c) =>
    renderPage(
      c,
      <Layout ctx={ctx} title="Score an applicant" active="score">
        {intro}
        <ScoreForm ctx={ctx} values={defaults} />
      </Layout>,
    ));

  app.post("/score", async (c) => {
    const parsed = parse(await readForm(c));
    if (!parsed.ok) {
      return renderPage(
        c,
        <Layout ctx={ctx} title="Score an applicant" active="score">
          <p class="note" data-testid="form-errors">
            Please correct the highlighted fields; nothing was scored.
          </p>
          <ScoreForm ctx={ctx} values={parsed.values} errors={parsed.errors} />
        </Layout>,
        422,
      );
    }
    const clientId = c.get("identity")?.id ?? "";
    const [result] = await ctx.predictor.predict([parsed.features], {
      requestIds: [c.get("requestId")],
      clientId,
      startedAt: c.get("startedAt") ?? performance.now(),
      explain: true,
    });
    const [row] = await ctx.store.predictions.findByRequestId(result.request_id, clientId);
    return renderPage(
      c,
      <Layout ctx={ctx} title="Score an applicant" active="score">
        <ResultPanel ctx={ctx} result={result} rowId={row?.id} />
        <ScoreForm ctx={ctx} values={parsed.values} />
      </Layout>,
    );
  });
  return app;
}
