/**
 * Interactive charts for islands: uPlot (canvas, cursor, legend) mounted
 * after hydration, with the static SVG rendering shown until then (and for
 * good without JavaScript). A chart resizes with its container.
 *
 * Browser code: imports only preact, uplot and `site/shared`.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { formatUnit } from "./format.ts";
import { SvgBarChart, SvgTimeChart } from "./svg_charts.tsx";
import type { BarChartSpec, TimeChartSpec } from "./types.ts";

const HEIGHT = 220;

function widthOf(el: HTMLElement): number {
  return Math.max(240, Math.floor(el.clientWidth));
}

/** Keeps a uPlot instance sized to its container; returns the cleanup. */
function autoSize(el: HTMLElement, plot: uPlot): () => void {
  const observer = new ResizeObserver(() => plot.setSize({ width: widthOf(el), height: HEIGHT }));
  observer.observe(el);
  return () => observer.disconnect();
}

function drawVertical(u: uPlot, at: number, label: string): void {
  const ctx = u.ctx;
  const x = u.valToPos(at, "x", true);
  ctx.save();
  ctx.strokeStyle = "#cf222e";
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.setLineDash([5 * devicePixelRatio, 3 * devicePixelRatio]);
  ctx.beginPath();
  ctx.moveTo(x, u.bbox.top);
  ctx.lineTo(x, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.fillStyle = "#cf222e";
  ctx.font = `${11 * devicePixelRatio}px sans-serif`;
  ctx.fillText(label, x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
  ctx.restore();
}

function drawHorizontal(u: uPlot, value: number): void {
  const ctx = u.ctx;
  const y = u.valToPos(value, "y", true);
  ctx.save();
  ctx.strokeStyle = "#cf222e";
  ctx.lineWidth = devicePixelRatio;
  ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
  ctx.beginPath();
  ctx.moveTo(u.bbox.left, y);
  ctx.lineTo(u.bbox.left + u.bbox.width, y);
  ctx.stroke();
  ctx.restore();
}

function timeOptions(spec: TimeChartSpec, width: number): uPlot.Options {
  const fmt = (v: number | null) => formatUnit(spec.unit, v);
  const limit = spec.limit;
  return {
    width,
    height: HEIGHT,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    scales: {
      x: { time: true },
      // Durations on a log scale: typical values (ms) and the alert limit (500 ms) both readable.
      y: spec.unit === "ms"
        ? {
          distr: 3,
          log: 10,
          range: (_u, min, max) =>
            uPlot.rangeLog(min > 0 ? min : 0.1, Math.max(max || 1, limit?.value ?? 0), 10, true),
        }
        : { range: (_u, _min, max) => [0, Math.max(max, limit?.value ?? 0, 1e-9) * 1.1] },
    },
    axes: [{}, { size: 64, values: (_u, splits) => splits.map(fmt) }],
    series: [
      {},
      ...spec.series.map((s): uPlot.Series => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        dash: s.dashed ? [6, 4] : undefined,
        spanGaps: false,
        value: (_u, v) => fmt(v),
      })),
    ],
    hooks: limit ? { draw: [(u) => drawHorizontal(u, limit.value)] } : {},
  };
}

function timeData(spec: TimeChartSpec): uPlot.AlignedData {
  return [spec.x, ...spec.series.map((s) => s.values)] as uPlot.AlignedData;
}

function barOptions(spec: BarChartSpec, width: number): uPlot.Options {
  const fmt = (v: number | null) => formatUnit(spec.unit, v);
  const k = spec.labels.length;
  const marker = spec.marker;
  const sizes = [0.9, 0.5, 0.3];
  return {
    width,
    height: HEIGHT,
    scales: {
      x: { time: false, range: [-0.5, k - 0.5] },
      y: { range: (_u, _min, max) => [0, Math.max(max, 1e-9) * 1.15] },
    },
    axes: [
      {
        // Room for the longest label, so uPlot skips labels instead of overlapping them.
        space: Math.max(30, 7 * Math.max(0, ...spec.labels.map((l) => l.length)) + 10),
        incrs: [1, 2, 3, 4, 5, 10, 20],
        values: (_u, splits) =>
          splits.map((i) => (Number.isInteger(i) ? spec.labels[i] ?? "" : "")),
      },
      { size: 64, values: (_u, splits) => splits.map(fmt) },
    ],
    series: [
      { label: "bucket", value: (_u, i) => (i === null ? "" : spec.labels[i] ?? "") },
      ...spec.series.map((s, j): uPlot.Series => ({
        label: s.label,
        stroke: s.color,
        fill: `${s.color}${j === 0 ? "55" : "cc"}`,
        width: 1,
        points: { show: false },
        paths: uPlot.paths.bars!({ size: [sizes[j] ?? 0.3, 80] }),
        value: (_u, v) => fmt(v),
      })),
    ],
    hooks: marker ? { draw: [(u) => drawVertical(u, marker.at, marker.label)] } : {},
  };
}

function barData(spec: BarChartSpec): uPlot.AlignedData {
  return [spec.labels.map((_, i) => i), ...spec.series.map((s) => s.values)] as uPlot.AlignedData;
}

/** Identity of a chart's layout: a change rebuilds the plot, anything else only updates data. */
function layoutKey(spec: { id: string; series: { label: string }[] }, extra: string): string {
  return `${spec.id}|${spec.series.map((s) => s.label).join("|")}|${extra}`;
}

interface PlotHooks<S> {
  options(spec: S, width: number): uPlot.Options;
  data(spec: S): uPlot.AlignedData;
}

function usePlot<S extends { id: string; series: { label: string }[] }>(
  spec: S,
  key: string,
  hooks: PlotHooks<S>,
) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [mounted, setMounted] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const u = new uPlot(hooks.options(spec, widthOf(el)), hooks.data(spec), el);
    plot.current = u;
    const stop = autoSize(el, u);
    setMounted(true);
    return () => {
      stop();
      u.destroy();
      plot.current = null;
    };
  }, [key]);
  useEffect(() => {
    plot.current?.setData(hooks.data(spec));
  }, [spec]);
  return { ref, mounted };
}

const TIME_HOOKS: PlotHooks<TimeChartSpec> = { options: timeOptions, data: timeData };
const BAR_HOOKS: PlotHooks<BarChartSpec> = { options: barOptions, data: barData };

/** A time chart: uPlot once mounted, SVG before. */
export function TimeChart({ spec }: { spec: TimeChartSpec }): JSX.Element {
  const { ref, mounted } = usePlot(spec, layoutKey(spec, spec.unit), TIME_HOOKS);
  return (
    <figure class="chart" id={spec.id}>
      <figcaption>{spec.title}</figcaption>
      <div ref={ref} class="chart-plot" />
      {!mounted && <SvgTimeChart spec={spec} />}
    </figure>
  );
}

/** A bar chart: uPlot once mounted, SVG before. */
export function BarChart({ spec }: { spec: BarChartSpec }): JSX.Element {
  const key = layoutKey(spec, `${spec.labels.join(",")}|${spec.marker?.at}`);
  const { ref, mounted } = usePlot(spec, key, BAR_HOOKS);
  return (
    <figure class="chart" id={spec.id}>
      <figcaption>{spec.title}</figcaption>
      <div ref={ref} class="chart-plot" />
      {!mounted && <SvgBarChart spec={spec} />}
    </figure>
  );
}
