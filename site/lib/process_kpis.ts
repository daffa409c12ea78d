/**
 * The service process's memory and CPU as overview tiles (read by
 * `api/metrics/process_usage.ts`, like the /metrics gauges).
 *
 * @module
 */
import type { ProcessUsage } from "../../api/metrics/process_usage.ts";
import { formatBytes } from "../shared/format.ts";
import type { Kpi } from "../shared/types.ts";

/** CPU share (% of one core) above which the tile turns amber. */
export const CPU_WARN_PERCENT = 80;

/** The tiles of one process sample. */
export function processKpis(usage: ProcessUsage): Kpi[] {
  return [
    {
      id: "memory",
      label: "Service memory (RSS)",
      value: formatBytes(usage.rssBytes),
      detail: `JS heap ${formatBytes(usage.heapUsedBytes)}`,
      tone: "neutral",
    },
    {
      id: "cpu",
      label: "Service CPU",
      value: `${usage.cpuPercent.toFixed(1)}%`,
      detail: "of one core, since the previous update",
      tone: usage.cpuPercent > CPU_WARN_PERCENT ? "warn" : "ok",
    },
  ];
}
