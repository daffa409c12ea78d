/**
 * Alerts as a state machine, so that a webhook hears of each alert once: an
 * alert *fires* when it first appears, stays *active* (no new message, even
 * if its severity or numbers change) while every evaluation still raises it,
 * and *resolves* the first time an evaluation no longer does — one
 * "resolved" message, and only for an alert whose "firing" message was sent.
 * An alert that comes back after resolving fires again.
 *
 * Pure: given the stored states and the alerts of a new evaluation, returns
 * the rows to store and the messages due. Who sends a message is decided by
 * the store's claim (`alert_state` columns `fired_sent_at` /
 * `resolved_sent_at`), so two senders (the service and a cron run) never
 * send the same one.
 *
 * @module
 */
import type { AlertStateRow } from "../api/store/mod.ts";
import type { Alert } from "./alerts.ts";

/** The key of an alert: its kind, and its feature when it has one. */
export function alertKey(alert: Pick<Alert, "kind" | "feature">): string {
  return alert.feature === undefined ? alert.kind : `${alert.kind}:${alert.feature}`;
}

/** What an evaluation changes. */
export interface AlertTransition {
  /** Rows to store (new, updated, resolved). */
  rows: AlertStateRow[];
  /** Keys whose "firing" message is due (new, or not sent yet). */
  firing: string[];
  /** Keys whose "resolved" message is due. */
  resolved: string[];
}

/**
 * Applies an evaluation's alerts (info alerts are explanations, never sent)
 * to the stored states at time `now` (ISO).
 */
export function transitionAlerts(
  stored: readonly AlertStateRow[],
  alerts: readonly Alert[],
  now: string,
): AlertTransition {
  const byKey = new Map(stored.map((r) => [r.alert_key, r]));
  const current = new Map<string, Alert>();
  for (const a of alerts) {
    if (a.severity === "info") continue;
    const key = alertKey(a);
    if (!current.has(key)) current.set(key, a);
  }
  const rows: AlertStateRow[] = [];
  const firing: string[] = [];
  const resolved: string[] = [];
  for (const [key, a] of current) {
    const prev = byKey.get(key);
    const active = prev !== undefined && prev.resolved_at === null;
    const row: AlertStateRow = active
      ? { ...prev, severity: a.severity, message: a.message, last_seen: now }
      : {
        alert_key: key,
        kind: a.kind,
        feature: a.feature ?? null,
        severity: a.severity,
        message: a.message,
        first_seen: now,
        last_seen: now,
        resolved_at: null,
        fired_sent_at: null,
        resolved_sent_at: null,
      };
    rows.push(row);
    if (row.fired_sent_at === null) firing.push(key);
  }
  for (const prev of stored) {
    if (prev.resolved_at !== null || current.has(prev.alert_key)) continue;
    rows.push({ ...prev, resolved_at: now });
    if (prev.fired_sent_at !== null) resolved.push(prev.alert_key);
  }
  return { rows, firing, resolved };
}
