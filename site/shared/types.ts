/**
 * Data shapes passed from the server to islands (as serialised props) and
 * returned by the site's JSON endpoints. Plain JSON only: numbers, strings,
 * arrays, `null`.
 *
 * @module
 */

/** Unit of a chart's y values (decides the axis and tooltip format). */
export type ChartUnit = "count" | "share" | "ms" | "proba";

/** One line of a time chart. */
export interface LineSeries {
  label: string;
  /** One value per x; `null` = no data in that bucket. */
  values: (number | null)[];
  /** CSS colour. */
  color: string;
  dashed?: boolean;
}

/** A time chart. */
export interface TimeChartSpec {
  /** Stable id (DOM id and chart identity across live updates). */
  id: string;
  title: string;
  unit: ChartUnit;
  /** Bucket start times, epoch seconds. */
  x: number[];
  series: LineSeries[];
  /** Optional horizontal reference line (e.g. an alert limit). */
  limit?: { value: number; label: string };
}

/** One group of bars. */
export interface BarSeries {
  label: string;
  values: number[];
  color: string;
}

/** A bar chart over labelled buckets. */
export interface BarChartSpec {
  id: string;
  title: string;
  unit: ChartUnit;
  labels: string[];
  series: BarSeries[];
  /** A vertical marker at a fractional bucket position (0 = centre of the first bucket). */
  marker?: { at: number; label: string };
}

/** Tone of a number tile. */
export type Tone = "ok" | "warn" | "bad" | "neutral";

/** A headline number. */
export interface Kpi {
  id: string;
  label: string;
  value: string;
  detail?: string;
  tone: Tone;
}

/** The live part of the overview page (`GET /monitor/api/overview`). */
export interface OverviewLive {
  generatedAt: string;
  kpis: Kpi[];
  charts: TimeChartSpec[];
}

/** The live score distribution (`GET /monitor/api/scores`). */
export interface ScoreLive {
  generatedAt: string;
  window: string;
  /** Predictions in the window. */
  n: number;
  /** Rows per score bin. */
  counts: number[];
  rejects: number;
  meanProba: number | null;
  /** Score-mix PSI against the reference sample, with its verdict (`null` without a reference). */
  psi: number | null;
  verdict: string | null;
}
