/**
 * Access boundary of the monitoring site. The site shows applicants' data
 * (the prediction browser reads `input_json`) and scores through its form,
 * which writes to the audit log: with keys configured it must not be open.
 */
import assert from "node:assert/strict";
import { createTestApp, creditTestRows } from "../api/testing/test_app.ts";

const SCORING_KEY = "scoring-key-0123456789";
const ADMIN_KEY = "admin-key-0123456789ab";
const [row0] = await creditTestRows(1);

/** Refused: 401/403, or a redirect (to a login page). */
const refused = (status: number) =>
  status === 401 || status === 403 || (status >= 300 && status < 400);

Deno.test("with keys set, the site is closed to anonymous and scoring-key requests", async () => {
  await using t = await createTestApp({
    config: { apiKeys: [SCORING_KEY], adminKeys: [ADMIN_KEY] },
  });
  const scored = await t.post("/predict", { features: row0 }, { "x-api-key": SCORING_KEY });
  assert.equal(scored.status, 200);
  await scored.body?.cancel();
  for (const path of ["/monitor", "/monitor/predictions", "/monitor/score"]) {
    for (const headers of [{}, { "x-api-key": SCORING_KEY }] as Record<string, string>[]) {
      const res = await t.app.request(path, { headers });
      await res.body?.cancel();
      assert.ok(refused(res.status), `${path} ${JSON.stringify(headers)}: got ${res.status}`);
    }
  }
  const before = await t.store.predictions.count();
  const form = new URLSearchParams(
    Object.entries(row0).map(([k, v]) => [k, v === null || v === undefined ? "" : String(v)]),
  );
  const post = await t.app.request("/monitor/score", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" },
    body: form.toString(),
  });
  await post.body?.cancel();
  assert.ok(refused(post.status), `anonymous site scoring: got ${post.status}`);
  assert.equal(
    await t.store.predictions.count(),
    before,
    "nothing scored or logged through the site",
  );
});
