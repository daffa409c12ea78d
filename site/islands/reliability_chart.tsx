/**
 * Island: the reliability chart of the performance page (mean predicted
 * probability vs observed default rate per score bin) as an interactive bar
 * chart; the page's table holds the same numbers with the bin counts.
 *
 * @module
 */
import type { JSX } from "preact";
import type { BarChartSpec } from "../shared/types.ts";
import { BarChart } from "../shared/uplot_charts.tsx";

/** Props (serialised into the page). */
export interface ReliabilityChartProps {
  spec: BarChartSpec;
}

/** The reliability bars. */
export default function ReliabilityChartIsland({ spec }: ReliabilityChartProps): JSX.Element {
  return <BarChart spec={spec} />;
}
