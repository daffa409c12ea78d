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

/** Captures `console.warn` lines while `work` runs. */
async function warnings(work: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    await work();
  } finally {
    console.warn = warn;
  }
  return lines;
}

Deno.test("wrong API keys are throttled per client address and logged without the key", async () => {
  await using t = await createTestApp({
    config: { ...keys, authFailuresPerMinute: 3, trustProxy: true },
  });
  const from = (address: string, key: string) => ({ ...bearer(key), "x-forwarded-for": address });
  const guesses = ["guess-key-00000000000001", "guess-key-00000000000002"];
  const lines = await warnings(async () => {
    for (let i = 0; i < 3; i++) {
      const res = await t.post("/predict", { features: row }, from("203.0.113.7", guesses[i % 2]));
      assert.equal(res.status, 401);
    }
    for (const key of [guesses[0], SCORING]) {
      const res = await t.post("/predict", { features: row }, from("203.0.113.7", key));
      assert.equal(res.status, 429, "throttled, whatever key it presents now");
      assert.ok(Number(res.headers.get("retry-after")) >= 1);
      assert.equal((await res.json()).type, "/problems/rate-limited");
    }
    const metrics = await t.app.request("/metrics", { headers: from("203.0.113.7", ADMIN) });
    assert.equal(metrics.status, 429, "on every route that takes a key");
    const other = await t.post("/predict", { features: row }, from("198.51.100.1", SCORING));
    assert.equal(other.status, 200, "another client is not affected");
  });
  assert.equal(lines.length, 3, "one line per failure");
  for (const line of lines) {
    assert.match(line, /auth failure: wrong API key on POST \/predict from "203\.0\.113\.7"/);
    for (const key of [...guesses, SCORING, ADMIN]) assert.ok(!line.includes(key), "no key logged");
  }
  assert.equal(await t.store.predictions.count(), 1);
});

Deno.test("every response says nosniff; scoring and feedback answers are not stored by caches", async () => {
  await using t = await createTestApp({ config: keys });
  const requests: [string, RequestInit?][] = [
    ["/health"],
    ["/health", { method: "HEAD" }],
    ["/openapi.json"],
    ["/docs"],
    ["/docs/assets/swagger-ui.css"],
    ["/problems/validation"],
    ["/nope"],
    ["/health", { method: "DELETE" }],
    ["/metrics", { headers: bearer(ADMIN) }],
    ["/favicon.ico"],
    ["/monitor/login"],
    ["/monitor/static/site.css"],
  ];
  for (const [path, init] of requests) {
    const res = await t.app.request(path, init);
    await res.body?.cancel();
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", `${init?.method} ${path}`);
  }
  const scoring: [string, unknown, Record<string, string>][] = [
    ["/predict", { features: row }, bearer(SCORING)],
    ["/predict_batch", { rows: [row] }, bearer(SCORING)],
    ["/predict", { features: {} }, bearer(SCORING)],
    ["/predict", { features: row }, {}],
    ["/feedback", { request_id: "x", outcome: "repaid", observed_at: "2026-01-01T00:00:00Z" }, {
      "x-api-key": SCORING,
    }],
  ];
  for (const [path, body, headers] of scoring) {
    const res = await t.post(path, body, headers);
    await res.body?.cancel();
    assert.equal(res.headers.get("cache-control"), "no-store", `${path} → ${res.status}`);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
  }
});
