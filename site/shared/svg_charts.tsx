/**
 * Static SVG renderings of the chart specs: what a chart shows before (or
 * without) JavaScript. Islands render them on the server and until uPlot has
 * mounted, so pages stay useful with JavaScript off. Colours are SVG
 * presentation attributes, not inline styles, so a strict CSP allows them.
 *
 * Hand-written (rather than a charting library) because they must render on
 * the server, without a DOM, and stay tiny.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatTime, formatUnit } from "./format.ts";
import type { BarChartSpec, TimeChartSpec } from "./types.ts";

const W = 640;
const H = 220;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  const m = max / pow;
  const step = m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10;
  return step * pow;
}

function frame(yMax: number, unit: TimeChartSpec["unit"]): JSX.Element {
  const ticks = [0, 0.5, 1];
  return (
    <g class="svg-axis">
      {ticks.map((t) => {
        const y = PAD.top + PLOT_H * (1 - t);
        return (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} stroke="#d0d7de" />
            <text x={PAD.left - 6} y={y + 4} text-anchor="end" font-size="11" fill="#57606a">
              {formatUnit(unit, yMax * t)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** A time chart as SVG polylines (gaps where a value is `null`). */
export function SvgTimeChart({ spec }: { spec: TimeChartSpec }): JSX.Element {
  const n = spec.x.length;
  let max = spec.limit?.value ?? 0;
  for (const s of spec.series) for (const v of s.values) if (v !== null && v > max) max = v;
  const yMax = niceMax(max);
  const px = (i: number) => PAD.left + (n <= 1 ? PLOT_W / 2 : (PLOT_W * i) / (n - 1));
  const py = (v: number) => PAD.top + PLOT_H * (1 - v / yMax);
  const segments = (values: (number | null)[]) => {
    const out: string[] = [];
    let cur: string[] = [];
    values.forEach((v, i) => {
      if (v === null) {
        if (cur.length) out.push(cur.join(" "));
        cur = [];
      } else cur.push(`${px(i).toFixed(1)},${py(v).toFixed(1)}`);
    });
    if (cur.length) out.push(cur.join(" "));
    return out;
  };
  return (
    <svg
      class="svg-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`${spec.title} (static chart)`}
    >
      {frame(yMax, spec.unit)}
      {spec.limit && (
        <line
          x1={PAD.left}
          x2={W - PAD.right}
          y1={py(spec.limit.value)}
          y2={py(spec.limit.value)}
          stroke="#cf222e"
          stroke-dasharray="4 4"
        />
      )}
      {spec.series.map((s) =>
        segments(s.values).map((points, j) =>
          points.includes(" ")
            ? (
              <polyline
                key={`${s.label}-${j}`}
                points={points}
                fill="none"
                stroke={s.color}
                stroke-width="2"
                stroke-dasharray={s.dashed ? "6 4" : undefined}
              />
            )
            : (
              <circle
                key={`${s.label}-${j}`}
                cx={points.split(",")[0]}
                cy={points.split(",")[1]}
                r="2.5"
                fill={s.color}
              />
            )
        )
      )}
      {n > 0 && (
        <g font-size="11" fill="#57606a">
          <text x={PAD.left} y={H - 8}>{formatTime(spec.x[0] * 1000)}</text>
          <text x={W - PAD.right} y={H - 8} text-anchor="end">
            {formatTime(spec.x[n - 1] * 1000)}
          </text>
        </g>
      )}
    </svg>
  );
}

/** A bar chart as SVG rectangles: series side by side within each bucket. */
export function SvgBarChart({ spec }: { spec: BarChartSpec }): JSX.Element {
  const k = spec.labels.length;
  let max = 0;
  for (const s of spec.series) for (const v of s.values) if (v > max) max = v;
  const yMax = niceMax(max);
  const slot = PLOT_W / Math.max(1, k);
  const barW = (slot * 0.8) / Math.max(1, spec.series.length);
  const labelEvery = Math.max(1, Math.ceil(k / 10));
  const markerX = spec.marker && PAD.left + slot * (spec.marker.at + 0.5);
  return (
    <svg
      class="svg-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`${spec.title} (static chart)`}
    >
      {frame(yMax, spec.unit)}
      {spec.series.map((s, j) =>
        s.values.map((v, i) => {
          const h = (PLOT_H * v) / yMax;
          return (
            <rect
              key={`${j}-${i}`}
              x={(PAD.left + slot * i + slot * 0.1 + barW * j).toFixed(1)}
              y={(PAD.top + PLOT_H - h).toFixed(1)}
              width={barW.toFixed(1)}
              height={h.toFixed(1)}
              fill={s.color}
            >
              <title>{`${s.label} ${spec.labels[i]}: ${formatUnit(spec.unit, v)}`}</title>
            </rect>
          );
        })
      )}
      {markerX !== undefined && (
        <g>
          <line
            x1={markerX}
            x2={markerX}
            y1={PAD.top}
            y2={PAD.top + PLOT_H}
            stroke="#cf222e"
            stroke-width="2"
            stroke-dasharray="5 3"
          />
          <text x={markerX + 4} y={PAD.top + 12} font-size="11" fill="#cf222e">
            {spec.marker!.label}
          </text>
        </g>
      )}
      <g font-size="10" fill="#57606a">
        {spec.labels.map((label, i) =>
          i % labelEvery === 0
            ? (
              <text key={i} x={PAD.left + slot * (i + 0.5)} y={H - 8} text-anchor="middle">
                {label}
              </text>
            )
            : null
        )}
      </g>
    </svg>
  );
}
