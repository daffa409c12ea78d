/**
 * Island: reference-vs-production bucket shares of one feature of a drift
 * report, as an interactive bar chart.
 *
 * @module
 */
import type { JSX } from "preact";
import type { BarChartSpec } from "../shared/types.ts";
import { BarChart } from "../shared/uplot_charts.tsx";

/** Props (serialised into the page). */
export interface DriftBarsProps {
  spec: BarChartSpec;
}

/** One feature's bars. */
export default function DriftBarsIsland({ spec }: DriftBarsProps): JSX.Element {
  return <BarChart spec={spec} />;
}
