/**
 * `GET /monitor/scores` (live score distribution) and `GET /monitor/api/scores`
 * (its JSON, polled by the island): the window's `proba_default` histogram
 * against the reference sample's, the threshold marked.
 *
 * @module
 */
import { Hono } from "hono";
import type { SiteEnv } from "../site_env.ts";
import { Island } from "../components/island.tsx";
import { Layout } from "../components/layout.tsx";
import { renderPage } from "../components/render.tsx";
import { WindowPicker } from "../components/window_picker.tsx";
import type { SiteContext } from "../context.ts";
import { resolveWindow } from "../lib/resolve_window.ts";
import ScoreHistogramIsland from "../islands/score_histogram.tsx";
import { SCORE_BIN_LABELS, scoreLive, sharesOf } from "../lib/scores.ts";
import { parseWindow } from "../lib/window.ts";
import { formatCount, formatShare } from "../shared/format.ts";

/** The score distribution routes. */
export function scoresRoutes(ctx: SiteContext): Hono<SiteEnv> {
  const app = new Hono<SiteEnv>();

  app.get("/api/scores", async (c) => {
    const range = await resolveWindow(ctx, parseWindow(c.req.query("window")));
    const reference = await ctx.reference();
    c.header("cache-control", "no-store");
    return c.json(await scoreLive(ctx.store, range, { now: ctx.now(), reference }));
  });

  app.get("/scores", async (c) => {
    const spec = parseWindow(c.req.query("window"));
    const range = await resolveWindow(ctx, spec);
    const reference = await ctx.reference();
    const live = await scoreLive(ctx.store, range, { now: ctx.now(), reference });
    const refShares = reference.ok ? sharesOf(reference.scoreCounts) : null;
    const prodShares = sharesOf(live.counts);
    return renderPage(
      c,
      <Layout ctx={ctx} title="Live score distribution" active="scores" windowKey={spec.key}>
        <WindowPicker current={spec} href={(k) => `${ctx.base}/scores?window=${k}`} />
        {reference.ok
          ? (
            <p class="muted">
              Compared with the reference sample ({formatCount(reference.n)}{" "}
              out-of-fold scores). The chart updates as predictions arrive.
            </p>
          )
          : (
            <p class="note" data-testid="no-reference">
              Reference sample unavailable ({reference.error}): showing production scores only.
            </p>
          )}
        <Island
          name="score_histogram"
          component={ScoreHistogramIsland}
          props={{
            initial: live,
            labels: [...SCORE_BIN_LABELS],
            referenceShares: refShares,
            threshold: ctx.meta.threshold,
            liveUrl: `${ctx.base}/api/scores?window=${spec.key}`,
            pollMs: ctx.livePollMs,
          }}
        />
        <details>
          <summary>Table of the bins</summary>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>proba_default</th>
                  <th class="num">Predictions</th>
                  <th class="num">Share</th>
                  <th class="num">Reference share</th>
                </tr>
              </thead>
              <tbody>
                {SCORE_BIN_LABELS.map((label, i) => (
                  <tr key={label}>
                    <td>{label}</td>
                    <td class="num">{formatCount(live.counts[i])}</td>
                    <td class="num">{formatShare(prodShares[i])}</td>
                    <td class="num">{refShares ? formatShare(refShares[i]) : "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      </Layout>,
    );
  });
  return app;
}
