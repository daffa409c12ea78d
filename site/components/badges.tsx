/**
 * Small status badges: drift verdicts and alert levels, coloured by CSS class.
 *
 * @module
 */
import type { JSX } from "preact";
import type { AlertLevel } from "../lib/alerts.ts";

/** A drift verdict (`low`, `moderate`, `high`, `severe`, `insufficient_data`). */
export function VerdictBadge({ verdict }: { verdict: string }): JSX.Element {
  return <span class={`badge verdict-${verdict}`}>{verdict.replace("_", " ")}</span>;
}

/** An alert level. */
export function LevelBadge({ level }: { level: AlertLevel }): JSX.Element {
  return <span class={`badge level-${level}`}>{level}</span>;
}
