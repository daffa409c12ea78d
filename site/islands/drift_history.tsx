/**
 * Island: a drift-over-time chart of the drift page (score PSI, reject rate,
 * multivariate AUC per scheduled report or per chunk) as an interactive
 * uPlot time chart; the page's heatmap tables hold the per-feature numbers.
 *
 * @module
 */
import type { JSX } from "preact";
import type { TimeChartSpec } from "../shared/types.ts";
import { TimeChart } from "../shared/uplot_charts.tsx";

/** Props (serialised into the page). */
export interface DriftHistoryProps {
  spec: TimeChartSpec;
}

/** One time chart. */
export default function DriftHistoryIsland({ spec }: DriftHistoryProps): JSX.Element {
  return <TimeChart spec={spec} />;
}
