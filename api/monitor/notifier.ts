/**
 * Applies an evaluation's alerts to the stored alert state and sends what is
 * due: a "firing" message for each new (or not yet delivered) alert, a
 * "resolved" one for each alert that cleared after its firing message went
 * out. Each message is claimed in the store first, so the service and
 * `deno task drift --notify` sharing a database never both send it; a
 * message whose every attempt failed gives its claim back and is tried again
 * at the next evaluation.
 *
 * @module
 */
import type { MonitorStore } from "../store/mod.ts";
import type { Alert } from "../../monitoring/alerts.ts";
import { transitionAlerts } from "../../monitoring/alert_state.ts";
import {
  type AlertEvent,
  type MessageContext,
  webhookBody,
  type WebhookFormat,
  type WebhookSender,
} from "./webhook.ts";

/** Where messages go. */
export interface AlertChannel {
  sender: WebhookSender;
  format: WebhookFormat;
  context: MessageContext;
}

/** What one evaluation did. */
export interface NotifyResult {
  /** Keys that fired / resolved in this evaluation (due messages). */
  firing: string[];
  resolved: string[];
  /** Messages delivered and given up (after every attempt) by this caller. */
  sent: number;
  failed: number;
}

/** Records the evaluation and sends its messages (none without a channel). */
export async function notifyAlerts(
  monitor: Pick<MonitorStore, "alerts">,
  alerts: readonly Alert[],
  options: { now: Date; channel?: AlertChannel | null },
): Promise<NotifyResult> {
  const at = options.now.toISOString();
  const t = transitionAlerts(await monitor.alerts.all(), alerts, at);
  await monitor.alerts.save(t.rows);
  const result: NotifyResult = { firing: t.firing, resolved: t.resolved, sent: 0, failed: 0 };
  const channel = options.channel;
  if (!channel) return result;
  const rows = new Map(t.rows.map((r) => [r.alert_key, r]));
  const due: [AlertEvent, string][] = [
    ...t.firing.map((k): [AlertEvent, string] => ["firing", k]),
    ...t.resolved.map((k): [AlertEvent, string] => ["resolved", k]),
  ];
  for (const [event, key] of due) {
    if (!(await monitor.alerts.claim(key, event, at))) continue;
    const body = webhookBody(event, rows.get(key)!, channel.format, channel.context);
    if (await channel.sender.send(event, body, key)) result.sent++;
    else {
      result.failed++;
      await monitor.alerts.unclaim(key, event);
    }
  }
  return result;
}
