/**
 * Island: the overview's headline numbers and time charts, refreshed live
 * from `GET /monitor/api/overview`.
 *
 * @module
 */
import type { JSX } from "preact";
import { usePolling } from "../shared/use_polling.ts";
import { TimeChart } from "../shared/uplot_charts.tsx";
import type { OverviewLive } from "../shared/types.ts";

/** Props (serialised into the page). */
export interface OverviewLiveProps {
  initial: OverviewLive;
  /** JSON endpoint with the same shape as `initial`. */
  liveUrl: string;
  pollMs: number;
}

/** KPI tiles and charts. */
export default function OverviewLiveIsland(props: OverviewLiveProps): JSX.Element {
  const data = usePolling(props.liveUrl, props.pollMs, props.initial);
  return (
    <div class="overview-live">
      <section class="kpis" aria-label="Headline numbers">
        {data.kpis.map((k) => (
          <div class={`kpi tone-${k.tone}`} key={k.id} data-kpi={k.id}>
            <div class="kpi-label">{k.label}</div>
            <div class="kpi-value">{k.value}</div>
            {k.detail && <div class="kpi-detail">{k.detail}</div>}
          </div>
        ))}
      </section>
      <section class="charts" aria-label="Over time">
        {data.charts.map((spec) => <TimeChart key={spec.id} spec={spec} />)}
      </section>
      <p class="muted small" data-updated>Updated {data.generatedAt.slice(11, 19)} UTC</p>
    </div>
  );
}
