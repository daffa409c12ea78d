/**
 * Alert webhooks: one POST per alert event ("firing" when it appears,
 * "resolved" when it clears), as a Slack-compatible message (`{"text": …}`,
 * which Slack, Mattermost, Rocket.Chat and Teams' Slack-style connectors
 * accept) or as plain JSON with every field. Retries with exponential
 * back-off (1 s, 4 s, …) on network errors, timeouts and 5xx/429 answers; a
 * 4xx other than 429 is not retried (the request itself is wrong). Every
 * attempt is recorded (the site lists them). Delivery runs off the request
 * path and never throws: a failing webhook cannot affect scoring.
 *
 * Permissions: the process needs `--allow-net` to the webhook's host. The
 * `start` task grants loopback only (least privilege: the host is not known
 * in advance); {@link webhookPermission} tells at start-up whether the host
 * is allowed, so the service can warn with the exact flag to add.
 *
 * @module
 */
import type { AlertDelivery, AlertStateRow } from "../store/mod.ts";

/** Message shapes. */
export type WebhookFormat = "json" | "slack";

/** The event of a message. */
export type AlertEvent = "firing" | "resolved";

/** Context added to every message. */
export interface MessageContext {
  /** Serving model version. */
  modelVersion: string;
  /** Where people can look (e.g. the site's drift page URL), if known. */
  link?: string;
}

/** The body of one message. */
export function webhookBody(
  event: AlertEvent,
  alert: Pick<
    AlertStateRow,
    "alert_key" | "kind" | "feature" | "severity" | "message" | "first_seen" | "resolved_at"
  >,
  format: WebhookFormat,
  context: MessageContext,
): Record<string, unknown> {
  if (format === "slack") {
    const head = event === "firing"
      ? `:rotating_light: Scorewatch alert (${alert.severity}): ${alert.kind}`
      : `:white_check_mark: Scorewatch resolved: ${alert.kind}`;
    const feature = alert.feature ? ` [${alert.feature}]` : "";
    const link = context.link ? `\n<${context.link}|Open the drift page>` : "";
    return {
      text:
        `${head}${feature}\n${alert.message}\nmodel ${context.modelVersion}, since ${alert.first_seen}${
          event === "resolved" ? `, cleared ${alert.resolved_at}` : ""
        }${link}`,
    };
  }
  return {
    source: "scorewatch",
    event,
    alert: {
      key: alert.alert_key,
      kind: alert.kind,
      feature: alert.feature,
      severity: alert.severity,
      message: alert.message,
      first_seen: alert.first_seen,
      resolved_at: alert.resolved_at,
    },
    model_version: context.modelVersion,
    ...(context.link ? { link: context.link } : {}),
  };
}

/** Options of a {@link WebhookSender}. */
export interface WebhookOptions {
  url: string;
  format: WebhookFormat;
  /** Attempts in all (≥ 1). Default 3. */
  attempts?: number;
  /** First back-off delay; each next one is 4× longer. Default 1000 ms. */
  backoffMs?: number;
  /** Per-attempt timeout. Default 5000 ms. */
  timeoutMs?: number;
  /** Records each attempt. */
  record(delivery: AlertDelivery): Promise<void>;
  /** `service` or `cron`. */
  sender: string;
  now?: () => Date;
  /** Waits between attempts (tests pass one that does not). */
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

/** Sends alert messages. */
export interface WebhookSender {
  /** The webhook's host, as recorded (never the secret path). */
  readonly target: string;
  /** Sends one message with retries; true when an attempt got a 2xx answer. Never throws. */
  send(event: AlertEvent, body: Record<string, unknown>, alertKey: string): Promise<boolean>;
}

/** Creates a sender for one webhook URL. */
export function createWebhookSender(options: WebhookOptions): WebhookSender {
  const target = new URL(options.url).host;
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoff = options.backoffMs ?? 1000;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const doFetch = options.fetch ?? fetch;
  return {
    target,
    async send(event, body, alertKey) {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        let status: number | null = null;
        let error: string | null = null;
        try {
          const res = await doFetch(options.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
          });
          status = res.status;
          await res.body?.cancel();
          if (!res.ok) error = `HTTP ${res.status}`;
        } catch (err) {
          error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        }
        const ok = error === null;
        try {
          await options.record({
            ts_utc: now().toISOString(),
            alert_key: alertKey,
            event,
            target,
            attempt,
            status,
            ok,
            error,
            sender: options.sender,
          });
        } catch {
          // Recording is best effort: a full disk must not stop the alert itself.
        }
        if (ok) return true;
        const retriable = status === null || status >= 500 || status === 429;
        if (!retriable || attempt === attempts) return false;
        await sleep(backoff * 4 ** (attempt - 1));
      }
      return false;
    },
  };
}

/**
 * Whether this process may reach the webhook's host: `granted`, or a
 * message naming the `--allow-net` entry to add.
 */
export async function webhookPermission(url: string): Promise<"granted" | string> {
  const host = new URL(url).host;
  const status = await Deno.permissions.query({ name: "net", host });
  return status.state === "granted"
    ? "granted"
    : `ALERT_WEBHOOK_URL's host ${host} is not in --allow-net: alerts cannot be delivered; ` +
      `start with --allow-net=…,${host}`;
}
