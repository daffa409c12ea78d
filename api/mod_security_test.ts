/**
 * The protections wired into the app: each test fails if its protection is
 * removed from `createApp`.
 */
import assert from "node:assert/strict";
import type { Store } from "./store/mod.ts";
import { createTestApp, creditTestRows } from "./testing/test_app.ts";

const [row] = await creditTestRows(1);
const SCORING = "scoring-key-000000000001";
const ADMIN = "admin-key-0000000000000001";
const keys = { apiKeys: [SCORING], adminKeys: [ADMIN] };

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

Deno.test("with keys configured, scoring needs a valid key; health and docs stay open", async () => {
  await using t = await createTestApp({ config: keys });
  const none = await t.post("/predict", { features: row });
  assert.equal(none.status, 401);
  assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="scorewatch"');
  assert.equal(none.headers.get("content-type"), "application/problem+json");
  assert.equal(
    (await t.post("/predict", { features: row }, bearer("wrong-key-000000000000"))).status,
    401,
  );
  assert.equal((await t.post("/predict", { features: row }, bearer(SCORING))).status, 200);
  assert.equal((await t.post("/predict", { features: row }, { "x-api-key": ADMIN })).status, 200);
  assert.equal(await t.store.predictions.count(), 2, "refused requests log nothing");
  for (const path of ["/health", "/health/live", "/health/ready", "/docs", "/openapi.json"]) {
    assert.equal((await t.app.request(path)).status, 200, path);
  }
  const health = await (await t.app.request("/health")).json();
  assert.deepEqual(health.warnings, [], "no open-mode warning when keys are set");
});

Deno.test("feedback needs a scoring key too", async () => {
  await using t = await createTestApp({ config: keys });
  const res = await t.post("/feedback", {
    request_id: "x",
    outcome: "repaid",
    observed_at: "2026-01-01T00:00:00Z",
  });
  assert.equal(res.status, 401);
});

Deno.test("/metrics needs an admin key: a scoring key is 403", async () => {
  await using t = await createTestApp({ config: keys });
  assert.equal((await t.app.request("/metrics")).status, 401);
  assert.equal((await t.app.request("/metrics", { headers: bearer(SCORING) })).status, 403);
  assert.equal((await t.app.request("/metrics", { headers: bearer(ADMIN) })).status, 200);
});

Deno.test("with scoring keys but no admin keys, /metrics is closed, not open", async () => {
  await using t = await createTestApp({ config: { apiKeys: [SCORING] } });
  const res = await t.app.request("/metrics", { headers: bearer(SCORING) });
  assert.equal(res.status, 403);
  assert.match((await res.json()).detail, /no ADMIN_KEYS are configured/);
});

Deno.test("the per-key rate limit answers 429 with Retry-After past the budget", async () => {
  await using t = await createTestApp({ config: { ...keys, rateLimitPerMinute: 2 } });
  try {
    for (let i = 0; i < 2; i++) {
      assert.equal((await t.post("/predict", { features: row }, bearer(SCORING))).status, 200);
    }
    const limited = await t.post("/predict", { features: row }, bearer(SCORING));
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.equal((await limited.json()).type, "/problems/rate-limited");
    assert.equal((await t.post("/predict", { features: row }, bearer(ADMIN))).status, 200);
    assert.equal(await t.store.predictions.count(), 3);
  } finally {
    t.app.dispose();
  }
});

/** A store whose writes wait until the test opens the gate (no sleeps). */
function gatedStore() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const writes: Promise<unknown>[] = [];
  return {
    open,
    settled: () => Promise.allSettled(writes),
    wrap: (store: Store): Store => ({
      ...store,
      append: (entry) => {
        const write = gate.then(() => store.append(entry));
        writes.push(write);
        return write;
      },
    } as Store),
  };
}

Deno.test("a request over REQUEST_TIMEOUT_MS answers 504 problem+json", async () => {
  const gated = gatedStore();
  await using t = await createTestApp({ config: { requestTimeoutMs: 20 }, wrapStore: gated.wrap });
  const res = await t.post("/predict", { features: row });
  assert.equal(res.status, 504);
  assert.equal((await res.json()).type, "/problems/timeout");
  gated.open();
  await gated.settled();
});

Deno.test("beyond MAX_CONCURRENT_REQUESTS, requests are shed with 503 + Retry-After", async () => {
  const gated = gatedStore();
  await using t = await createTestApp({
    config: { maxConcurrentRequests: 2 },
    wrapStore: gated.wrap,
  });
  const held = [t.post("/predict", { features: row }), t.post("/predict", { features: row })];
  const shed = await Promise.all([1, 2, 3].map(() => t.post("/predict", { features: row })));
  for (const res of shed) {
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "1");
    assert.equal((await res.json()).type, "/problems/overloaded");
  }
  gated.open();
  assert.deepEqual((await Promise.all(held)).map((r) => r.status), [200, 200]);
  assert.equal(await t.store.predictions.count(), 2);
  assert.equal((await t.post("/predict", { features: row })).status, 200, "capacity is back");
});
