import assert from "node:assert/strict";
import { createTestApp } from "../testing/test_app.ts";
import type { Store } from "../store/mod.ts";
import { serveOnLocalhost } from "../../scripts/lib/serve.ts";

Deno.test("GET /health reports status, model version, uptime and warnings", async () => {
  await using t = await createTestApp({ warnings: ["log is not persistent"] });
  const res = await t.app.request("/health");
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, "ok");
  assert.equal(body.model_version, t.model.meta.model_version);
  assert.equal(body.threshold, t.model.meta.threshold);
  assert.equal(typeof body.uptime_s, "number");
  assert.equal(body.strict_input, true);
  assert.equal(body.database_writable, true);
  assert.equal(body.warnings.length, 2);
  assert.match(body.warnings[0], /no API_KEYS or ADMIN_KEYS are set/);
  assert.equal(body.warnings[1], "log is not persistent");
});

Deno.test("GET /health/live and /health/ready answer 200 when the log is writable", async () => {
  await using t = await createTestApp();
  const live = await t.app.request("/health/live");
  assert.equal(live.status, 200);
  assert.deepEqual(await live.json(), { status: "alive" });
  const ready = await t.app.request("/health/ready");
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), {
    status: "ready",
    model_version: t.model.meta.model_version,
  });
});

Deno.test("readiness is false (503 problem) while the database refuses writes", async () => {
  let writable = false;
  await using t = await createTestApp({
    wrapStore: (s: Store) =>
      ({ ...s, checkWritable: () => writable && s.checkWritable() }) as Store,
  });
  const notReady = await t.app.request("/health/ready");
  assert.equal(notReady.status, 503);
  assert.equal(notReady.headers.get("content-type"), "application/problem+json");
  assert.equal((await (await t.app.request("/health")).json()).status, "degraded");
  writable = true;
  assert.equal((await t.app.request("/health/ready")).status, 200);
});

Deno.test("HEAD /health and HEAD /openapi.json carry the GET's Content-Length, in-process and over HTTP", async () => {
  // A pinned clock: /health's uptime, and so its length, stays the same between two requests.
  const clock = new Date("2026-06-01T00:00:00.000Z");
  await using t = await createTestApp({ now: () => clock });
  await using server = serveOnLocalhost(t.app.fetch);
  for (const path of ["/health/live", "/openapi.json", "/docs", "/health"]) {
    const get = await t.app.request(path);
    const length = (await get.arrayBuffer()).byteLength;
    assert.ok(length > 0, path);
    const head = await t.app.request(path, { method: "HEAD" });
    assert.equal(head.status, 200, path);
    assert.equal(head.headers.get("content-length"), String(length), `${path} in-process`);
    assert.equal(await head.text(), "", "no body");
    // Over a real connection (what clients see), compared with a GET made over HTTP too.
    const httpGet = await fetch(`${server.url}${path}`);
    const httpLength = (await httpGet.arrayBuffer()).byteLength;
    const httpHead = await fetch(`${server.url}${path}`, { method: "HEAD" });
    await httpHead.body?.cancel();
    const headLength = Number(httpHead.headers.get("content-length"));
    assert.equal(headLength, httpLength, `${path} over HTTP`);
    assert.ok(headLength > 0, `${path} over HTTP`);
  }
});
