import assert from "node:assert/strict";
import type { AlertDelivery, AlertStateRow } from "../store/mod.ts";
import { createWebhookSender, webhookBody, webhookPermission } from "./webhook.ts";

const alert: AlertStateRow = {
  alert_key: "multivariate_drift",
  kind: "multivariate_drift",
  feature: null,
  severity: "high",
  message: "relationships between features changed: AUC 0.65",
  first_seen: "2026-03-01T12:00:00.000Z",
  last_seen: "2026-03-01T12:00:00.000Z",
  resolved_at: null,
  fired_sent_at: null,
  resolved_sent_at: null,
};

Deno.test("message bodies: plain JSON with every field, or Slack-compatible text", () => {
  const json = webhookBody("firing", alert, "json", { modelVersion: "m1" });
  assert.deepEqual(json, {
    source: "scorewatch",
    event: "firing",
    alert: {
      key: "multivariate_drift",
      kind: "multivariate_drift",
      feature: null,
      severity: "high",
      message: alert.message,
      first_seen: alert.first_seen,
      resolved_at: null,
    },
    model_version: "m1",
  });
  const slack = webhookBody(
    "resolved",
    { ...alert, resolved_at: "2026-03-01T14:00:00.000Z" },
    "slack",
    {
      modelVersion: "m1",
      link: "https://scorewatch.example/monitor/drift",
    },
  );
  assert.deepEqual(Object.keys(slack), ["text"]);
  assert.match(String(slack.text), /^:white_check_mark: Scorewatch resolved: multivariate_drift/);
  assert.match(String(slack.text), /cleared 2026-03-01T14:00:00.000Z/);
  assert.match(String(slack.text), /<https:\/\/scorewatch\.example\/monitor\/drift\|/);
});

function sender(statuses: (number | "network")[]) {
  const recorded: AlertDelivery[] = [];
  const waits: number[] = [];
  const s = createWebhookSender({
    url: "https://hooks.example/services/T000/B000/secret",
    format: "json",
    record: (d) => {
      recorded.push(d);
      return Promise.resolve();
    },
    sender: "service",
    now: () => new Date("2026-03-01T12:00:00.000Z"),
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    fetch: () => {
      const next = statuses.shift() ?? 200;
      return next === "network"
        ? Promise.reject(new TypeError("connection refused"))
        : Promise.resolve(new Response(null, { status: next }));
    },
  });
  return { s, recorded, waits };
}

Deno.test("retries 5xx and network errors with back-off, records every attempt", async () => {
  const { s, recorded, waits } = sender([503, "network", 200]);
  assert.equal(await s.send("firing", {}, "error_rate"), true);
  assert.deepEqual(waits, [1000, 4000]);
  assert.deepEqual(recorded.map((d) => [d.attempt, d.status, d.ok]), [
    [1, 503, false],
    [2, null, false],
    [3, 200, true],
  ]);
  assert.match(recorded[1].error!, /connection refused/);
  assert.ok(recorded.every((d) => d.target === "hooks.example"), "the secret path is not stored");
});

Deno.test("gives up after the last attempt; a 4xx is not retried", async () => {
  const down = sender([500, 500, 500, 500]);
  assert.equal(await down.s.send("firing", {}, "k"), false);
  assert.equal(down.recorded.length, 3);
  const bad = sender([400]);
  assert.equal(await bad.s.send("firing", {}, "k"), false);
  assert.equal(bad.recorded.length, 1);
  assert.deepEqual(bad.waits, []);
});

Deno.test("the permission check names the --allow-net entry to add", async () => {
  const url = "https://hooks.example.invalid/x";
  const state =
    (await Deno.permissions.query({ name: "net", host: "hooks.example.invalid" })).state;
  const answer = await webhookPermission(url);
  if (state === "granted") assert.equal(answer, "granted");
  else assert.match(answer, /start with --allow-net=…,hooks\.example\.invalid/);
  assert.equal(await webhookPermission("http://127.0.0.1:9/x"), "granted");
});
