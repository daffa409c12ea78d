/**
 * The documented contract, walked: every operation and status the served
 * OpenAPI document lists is produced by a real request, and every response
 * is checked against the document (the test app checks each one: see
 * `testing/contract.ts`); the checker itself catches responses the document
 * does not describe; and the document passes Redocly's recommended rules
 * without an error.
 */
import assert from "node:assert/strict";
import { type Store, StoreWriteError } from "./store/mod.ts";
import { createContractChecker } from "./testing/contract.ts";
import { createTestApp, creditTestRows, TEST_CONFIG, type TestApp } from "./testing/test_app.ts";
import { lintOpenApi } from "../scripts/openapi_lint.ts";

const [row] = await creditTestRows(1);
const SCORING = "scoring-key-000000000001";
const ADMIN = "admin-key-0000000000000001";
const keys = { apiKeys: [SCORING], adminKeys: [ADMIN] };
const scoring = { authorization: `Bearer ${SCORING}` };
const admin = { "x-api-key": ADMIN };
const tooLarge = JSON.stringify({ features: row, pad: "x".repeat(TEST_CONFIG.maxBodyBytes) });

/** Store calls that wait for `open()`: requests in flight for as long as a test needs. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const pending: Promise<unknown>[] = [];
  const held = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A) => {
    const call = opened.then(() => fn(...args));
    pending.push(call);
    return call;
  };
  return {
    open,
    settled: () => Promise.allSettled(pending),
    /** The store with its writes, probes and outcome reads held. */
    wrap: (s: Store): Store => ({
      ...s,
      append: held(s.append),
      checkWritable: held(s.checkWritable),
      outcomes: {
        record: held(s.outcomes.record),
        labelled: held(s.outcomes.labelled),
        labelledOnly: held(s.outcomes.labelledOnly),
      } satisfies Store["outcomes"],
    } as Store),
  };
}

// Observed a minute from now (within the allowed clock skew): after the scoring of requests
// built before it is sent.
const feedback = (request_id: string, outcome = "repaid") => ({
  request_id,
  outcome,
  observed_at: new Date(Date.now() + 60_000).toISOString(),
});

/** Sends `requests` in order and returns nothing: the test app checks every response. */
async function send(t: TestApp, requests: [string, RequestInit?][]): Promise<void> {
  for (const [path, init] of requests) await (await t.app.request(path, init)).body?.cancel();
}

const post = (body: unknown, headers: Record<string, string> = {}, type = "application/json") => ({
  method: "POST",
  headers: { "content-type": type, ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

/** What each status of the keyed scoring routes takes, for `path` and a valid `body`. */
function scoringRequests(path: string, body: unknown): [string, RequestInit?][] {
  return [
    [path, post(body, { ...scoring, "x-request-id": `walk${path.replace("/", "-")}` })],
    [path, post(body, { ...scoring, "x-request-id": `walk${path.replace("/", "-")}` })], // 409
    [path, post("{not json", scoring)],
    [path, post(body)], // 401
    [path, post(tooLarge, scoring)],
    [path, post(body, scoring, "text/plain")],
    [path, post({ features: { ...row, Home: "castle" }, rows: 0 }, scoring)],
    [`${path}?explain=maybe`, post(body, scoring)],
  ];
}

Deno.test("every documented operation and status is answered, and every answer matches the document", async () => {
  const seen = new Set<string>();
  const documented = new Set<string>();
  const record = (t: TestApp) => {
    for (const c of t.contract.checked) {
      if (c.path !== null && c.documented !== null) {
        seen.add(`${c.method.toUpperCase()} ${c.path} ${c.documented}`);
      }
    }
    for (const d of t.contract.documented()) documented.add(d);
  };

  // Statuses of the routes themselves.
  {
    const failing = { record: false };
    await using t = await createTestApp({
      config: { ...keys, authFailuresPerMinute: 2, trustProxy: true },
      wrapStore: (s) => ({
        ...s,
        outcomes: {
          ...s.outcomes,
          record: (input, now) =>
            failing.record
              ? Promise.reject(new StoreWriteError("locked"))
              : s.outcomes.record(input, now),
        },
      } as Store),
    });
    const outcome = feedback("walk-predict");
    await send(t, [
      ...scoringRequests("/predict", { features: row }),
      ...scoringRequests("/predict_batch", { rows: [row, row] }),
      ["/feedback", post(outcome, scoring)], // 201
      ["/feedback", post(outcome, scoring)], // 200 (the same again)
      ["/feedback", post(feedback("walk-predict", "default"), scoring)], // 409
      ["/feedback", post(feedback("nobody"), scoring)], // 404
      ["/feedback", post("{", scoring)],
      ["/feedback", post(feedback("walk-predict"))], // 401
      ["/feedback", post(tooLarge, scoring)],
      ["/feedback", post(feedback("walk-predict"), scoring, "text/plain")],
      ["/feedback", post({ ...feedback("walk-predict"), outcome: null }, scoring)], // 422
      ["/health"],
      ["/health/live"],
      ["/health/ready"],
      ["/health", { method: "HEAD" }],
      ["/openapi.json"],
      ["/docs"],
      ["/problems/validation"],
      ["/problems/constructor"], // 404
      ["/metrics", { headers: admin }],
      ["/metrics"], // 401
      ["/metrics", { headers: scoring }], // 403
      ["/predict", { method: "GET" }], // 405: default
      ["/nowhere"], // 404: default
    ]);
    failing.record = true;
    await send(t, [["/feedback", post(feedback("walk-predict"), scoring)]]); // 503
    // Two wrong keys from one address, then everything it tries is 429.
    const from = { "x-forwarded-for": "203.0.113.50" };
    const wrong = { ...from, authorization: "Bearer wrong-key-00000000000000" };
    await send(t, [
      ["/predict", post({ features: row }, wrong)],
      ["/predict", post({ features: row }, wrong)],
      ["/predict", post({ features: row }, { ...scoring, ...from })],
      ["/predict_batch", post({ rows: [row] }, { ...scoring, ...from })],
      ["/feedback", post(feedback("walk-predict"), { ...scoring, ...from })],
      ["/metrics", { headers: { ...admin, ...from } }],
    ]);
    record(t);
  }

  // Not ready: the audit log refuses writes.
  {
    await using t = await createTestApp({
      wrapStore: (s) => ({ ...s, checkWritable: () => Promise.resolve(false) } as Store),
    });
    await send(t, [["/health/ready"], ["/health"]]);
    record(t);
  }

  // 503 on every route: one request holds the only slot.
  {
    const g = gate();
    await using t = await createTestApp({
      config: { ...keys, maxConcurrentRequests: 1 },
      wrapStore: g.wrap,
    });
    const held = t.post("/predict", { features: row }, scoring);
    await send(t, [
      ["/predict", post({ features: row }, scoring)],
      ["/predict_batch", post({ rows: [row] }, scoring)],
      ["/feedback", post(feedback("x"), scoring)],
      ["/health"],
      ["/health/live"],
      ["/health/ready"],
      ["/openapi.json"],
      ["/docs"],
      ["/problems/validation"],
      ["/metrics", { headers: admin }],
    ]);
    g.open();
    assert.equal((await held).status, 200);
    await g.settled();
    record(t);
  }

  // 504 where a handler waits on the store past REQUEST_TIMEOUT_MS.
  {
    const g = gate();
    await using t = await createTestApp({
      config: { ...keys, requestTimeoutMs: 30 },
      wrapStore: g.wrap,
    });
    await send(t, [
      ["/predict", post({ features: row }, scoring)],
      ["/predict_batch", post({ rows: [row] }, scoring)],
      ["/feedback", post(feedback("x"), scoring)],
      ["/health"],
      ["/health/ready"],
      ["/metrics", { headers: admin }],
    ]);
    g.open();
    await g.settled();
    record(t);
  }

  const missing = [...documented].filter((d) => !seen.has(d));
  assert.deepEqual(missing, [], "documented, never answered: the document promises too much");
  assert.ok(documented.size >= 50, `${documented.size} operation statuses documented`);
});

Deno.test("the contract check refuses what the document does not describe", async () => {
  await using t = await createTestApp();
  const contract = createContractChecker(t.app.openApiDocument());
  const problem = (status: number, extra: Record<string, unknown> = {}) =>
    new Response(
      JSON.stringify({ type: "/problems/x", title: "X", status, detail: "d", ...extra }),
      { status, headers: { "content-type": "application/problem+json" } },
    );
  const refused: [string, string, Response, RegExp][] = [
    [
      "POST",
      "/predict",
      Response.json({ error: "teapot" }, { status: 418 }),
      /content-type application\/json, documented: application\/problem\+json/,
    ],
    ["POST", "/predict", problem(422, { surprise: 1 }), /must NOT have additional properties/],
    ["POST", "/predict", new Response("{}", { status: 200 }), /content-type text\/plain/],
    [
      "POST",
      "/predict",
      Response.json({ request_id: "r", proba_default: 2 }),
      /must have required property|must be <= 1/,
    ],
    ["GET", "/health/ready", problem(503), /required header Retry-After missing/],
    ["POST", "/predict", problem(401), /required header WWW-Authenticate missing/],
    ["GET", "/not-in-the-document", Response.json({}), /undocumented path answered 200/],
    ["DELETE", "/health", problem(400), /DELETE is not documented for \/health/],
  ];
  for (const [method, path, res, message] of refused) {
    await assert.rejects(contract.check(method, path, res), message, `${method} ${path}`);
  }
  // Positive control: a real answer passes.
  const ok = await contract.check("GET", "/health/live", await t.app.request("/health/live"));
  assert.deepEqual(ok, { method: "GET", path: "/health/live", status: 200, documented: "200" });
});

Deno.test("the served document passes Redocly's recommended rules without an error", async () => {
  for (const config of [keys, {}]) {
    await using t = await createTestApp({ artifactsDir: "artifacts", config });
    const result = await lintOpenApi(t.app.openApiDocument());
    assert.deepEqual(
      result.problems.filter((p) => p.severity === "error"),
      [],
      `errors with ${config === keys ? "keys" : "open mode"}`,
    );
    // The only warnings: public GET routes without a 4xx of their own (404/405 are `default`).
    for (const p of result.problems) assert.equal(p.ruleId, "operation-4xx-response", p.message);
  }
});
