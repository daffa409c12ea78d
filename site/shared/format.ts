/**
 * Number and time formatting shared by server pages and islands, so a value
 * reads the same before and after hydration. Locale-independent on purpose:
 * server and browser must produce identical text.
 *
 * @module
 */

/** Placeholder for a value that does not exist (empty window, no reference). */
export const NONE = "–";

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  const grouped = s.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return n < 0 ? `-${grouped}` : grouped;
}

/** A share as a percentage, `0.1234` → `12.3%`. */
export function formatShare(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x)
    ? NONE
    : `${(100 * x).toFixed(digits)}%`;
}

/** A duration: `0.42` → `0.42 ms`, `12.3` → `12.3 ms`, `1530` → `1.53 s`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NONE;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(ms >= 1 ? 1 : 2)} ms`;
}

/** A probability with 3 decimals. */
export function formatProba(p: number | null | undefined): string {
  return p === null || p === undefined || !Number.isFinite(p) ? NONE : p.toFixed(3);
}

/** An instant as `2026-03-01 10:04 UTC` (ISO text, epoch ms or a Date). */
export function formatTime(t: string | number | Date | null | undefined): string {
  if (t === null || t === undefined) return NONE;
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A value in a chart's unit. */
export function formatUnit(
  unit: "count" | "share" | "ms" | "proba",
  v: number | null | undefined,
): string {
  if (v === null || v === undefined) return NONE;
  switch (unit) {
    case "count":
      return formatCount(v);
    case "share":
      return formatShare(v);
    case "ms":
      return formatMs(v);
    case "proba":
      return formatProba(v);
  }
}

/** A size in bytes, binary units: `1536` → `1.5 KiB`, `73400320` → `70.0 MiB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return NONE;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}
