import assert from "node:assert/strict";
import { databaseNetAllowance, webhookNetAllowance } from "./net_allowance.ts";

Deno.test("the net allowance names exactly the database server and the webhook host", () => {
  assert.equal(databaseNetAllowance("postgres://u:pw@db.internal:6543/audit"), ",db.internal:6543");
  assert.equal(databaseNetAllowance("data/predictions.sqlite"), "");
  assert.equal(databaseNetAllowance(undefined), "");
  assert.equal(
    webhookNetAllowance("https://hooks.slack.com/services/T0/B0/secret"),
    ",hooks.slack.com",
  );
  assert.equal(webhookNetAllowance("http://127.0.0.1:9911/hook"), ",127.0.0.1:9911");
  assert.equal(webhookNetAllowance("ftp://example.com/x"), "");
  assert.equal(webhookNetAllowance("not a url"), "");
  assert.equal(webhookNetAllowance(""), "");
});
