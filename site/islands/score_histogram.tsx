/**
 * Island: the live score distribution of a window against the reference
 * sample, with the decision threshold marked, refreshed from
 * `GET /monitor/api/scores`.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatCount, formatProba, formatShare, NONE } from "../shared/format.ts";
import type { BarChartSpec, ScoreLive } from "../shared/types.ts";
import { usePolling } from "../shared/use_polling.ts";
import { BarChart } from "../shared/uplot_charts.tsx";

/** Props (serialised into the page). */
export interface ScoreHistogramProps {
  initial: ScoreLive;
  /** Bin labels, one per score bin. */
  labels: string[];
  /** Reference share per bin; `null` when the reference sample is not available. */
  referenceShares: number[] | null;
  threshold: number;
  liveUrl: string;
  pollMs: number;
}

function chartSpec(props: ScoreHistogramProps, data: ScoreLive): BarChartSpec {
  const total = data.counts.reduce((a, b) => a + b, 0);
  const prod = data.counts.map((c) => (total > 0 ? c / total : 0));
  const series = props.referenceShares
    ? [{ label: "Reference", values: props.referenceShares, color: "#8c959f" }]
    : [];
  series.push({ label: "Production", values: prod, color: "#0969da" });
  return {
    id: "score-histogram",
    title: `proba_default, share of predictions per bin (${data.window})`,
    unit: "share",
    labels: props.labels,
    series,
    marker: {
      at: props.threshold * props.labels.length - 0.5,
      label: `threshold ${props.threshold.toFixed(3)}`,
    },
  };
}

/** Histogram and summary numbers. */
export default function ScoreHistogramIsland(props: ScoreHistogramProps): JSX.Element {
  const data = usePolling(props.liveUrl, props.pollMs, props.initial);
  return (
    <div class="score-live">
      <dl class="facts">
        <div>
          <dt>Predictions</dt>
          <dd data-testid="score-n">{formatCount(data.n)}</dd>
        </div>
        <div>
          <dt>Mean proba_default</dt>
          <dd>{formatProba(data.meanProba)}</dd>
        </div>
        <div>
          <dt>Reject rate</dt>
          <dd>{data.n ? formatShare(data.rejects / data.n) : NONE}</dd>
        </div>
        <div>
          <dt>Score mix vs reference (PSI)</dt>
          <dd>
            {data.psi === null ? NONE : data.psi.toFixed(3)}
            {data.verdict && <span class={`badge verdict-${data.verdict}`}>{data.verdict}</span>}
          </dd>
        </div>
      </dl>
      <BarChart spec={chartSpec(props, data)} />
      <p class="muted small" data-updated>Updated {data.generatedAt.slice(11, 19)} UTC</p>
    </div>
  );
}
