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
import { join } from "node:path";
import { loadModel } from "./scoring/model.ts";
import { writeVersion } from "./testing/model_versions.ts";

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
    /** `fn` whose calls wait for `open()`. */
    hold: held,
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

const post = (
  body: unknown,
  headers: Record<string, string> = {},
  type = "application/json",
  method = "POST",
) => ({
  method,
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

/** A models directory: challengers `v2` and `v3` (compatible) and `v-bad` (a renamed feature). */
async function modelsDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_models_" });
  await writeVersion(join(dir, "v2"), "v2", { threshold: 0.4 });
  await writeVersion(join(dir, "v3"), "v3", { threshold: 0.2 });
  await writeVersion(join(dir, "v-bad"), "v-bad", { rename: { from: "Income", to: "Revenue" } });
  return dir;
}

/** The model admin calls that take a body. */
const models = {
  promote: (
    v: string,
    h: Record<string, string> = admin,
    body: unknown = { reason: "walk" },
  ): [string, RequestInit] => [
    `/models/${v}/promote`,
    post(body, h),
  ],
  rollback: (h: Record<string, string> = admin, body: unknown = {}): [string, RequestInit] => [
    "/models/rollback",
    post(body, h),
  ],
  shadow: (
    v: string,
    on: boolean,
    h: Record<string, string> = admin,
    body: unknown = {},
  ): [string, RequestInit] => [
    `/models/${v}/shadow`,
    post(body, h, "application/json", on ? "PUT" : "DELETE"),
  ],
};

/** Every model admin operation with `headers` (for the statuses any key check gives). */
const everyModelCall = (headers: Record<string, string>): [string, RequestInit?][] => [
  ["/models", { headers }],
  ["/models/reload", { method: "POST", headers }],
  models.promote("v2", headers),
  models.rollback(headers),
  models.shadow("v2", true, headers),
  models.shadow("v2", false, headers),
];

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
    const dir = await modelsDir();
    await using t = await createTestApp({
      config: { ...keys, authFailuresPerMinute: 2, trustProxy: true },
      modelsDir: dir,
      wrapStore: (s) => ({
        ...s,
        outcomes: {
          ...s.outcomes,
          record: (input, now) =>
            failing.record
              ? Promise.reject(new StoreWriteError("locked"))
              : s.outcomes.record(input, now),
        },
        models: {
          ...s.models,
          change: (...args) =>
            failing.record
              ? Promise.reject(new Error("database is locked"))
              : s.models.change(...args),
        },
      } as Store),
    });
    await send(t, [
      ["/models", { headers: admin }],
      ["/models/reload", { method: "POST", headers: admin }],
      models.rollback(admin), // 409: no previous champion
      models.promote("nothing"), // 404
      models.promote(t.model.meta.model_version), // 409: the champion
      models.promote("v-bad"), // 422: features differ
      models.promote("v2", admin, "{not json"), // 400
      models.promote("v2"), // 200
      models.rollback(admin, "{"), // 400
      models.rollback(admin, { reason: 7 }), // 422
      models.rollback(), // 200
      models.shadow("v3", true), // 200
      models.shadow("nothing", true), // 404
      models.shadow(t.model.meta.model_version, true), // 409
      models.shadow("v-bad", true), // 422
      models.shadow("v3", true, admin, "{"), // 400
      models.shadow("v3", false), // 200
      models.shadow("nothing", false), // 404
      models.shadow("v3", false, admin, "{"), // 400
      models.shadow("v3", false, admin, { why: 1 }), // 422
      ...everyModelCall({}), // 401
      ...everyModelCall({ ...scoring, "content-type": "application/json" }), // 403
    ]);
    await send(t, [models.shadow("v3", true)]);
    failing.record = true;
    // 503: the state cannot be written (each call has a change to make).
    await send(t, [
      models.promote("v2"),
      models.rollback(),
      models.shadow("v2", true),
      models.shadow("v3", false),
    ]);
    failing.record = false;
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
      ...everyModelCall({ ...admin, ...from }),
    ]);
    record(t);
    await Deno.remove(dir, { recursive: true });
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
      ...everyModelCall(admin),
    ]);
    g.open();
    assert.equal((await held).status, 200);
    await g.settled();
    record(t);
  }

  // 504 where a handler waits on the store (or a model load) past REQUEST_TIMEOUT_MS.
  {
    const g = gate();
    const dir = await modelsDir();
    let holding = false;
    const held = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => {
      const gated = g.hold(fn);
      return (...args: A) => holding ? gated(...args) : fn(...args);
    };
    await using t = await createTestApp({
      config: { ...keys, requestTimeoutMs: 30 },
      modelsDir: dir,
      load: held((d: string) => loadModel(d)),
      wrapStore: (s) => ({
        ...g.wrap(s),
        models: {
          ...s.models,
          change: held(s.models.change),
          rowsScored: held(s.models.rowsScored),
        },
      }),
    });
    // A previous champion (rollback) and a shadow (DELETE) before the store is held.
    await send(t, [models.promote("v2")]);
    await send(t, [models.shadow("v3", true)]);
    holding = true;
    await writeVersion(join(dir, "v4"), "v4"); // the reload has a model to load
    await send(t, [
      ["/predict", post({ features: row }, scoring)],
      ["/predict_batch", post({ rows: [row] }, scoring)],
      ["/feedback", post(feedback("x"), scoring)],
      ["/health"],
      ["/health/ready"],
      ["/metrics", { headers: admin }],
      ["/models", { headers: admin }],
      ["/models/reload", { method: "POST", headers: admin }],
      models.promote("v3"),
      models.rollback(),
      models.shadow(t.model.meta.model_version, true),
      models.shadow("v3", false),
    ]);
    g.open();
    await g.settled();
    // Changes queue one after another: this one runs once the held ones are done.
    await t.lifecycle.setShadow("none", false, { keyId: "", reason: "" }).catch(() => {});
    await t.lifecycle.reload();
    record(t);
    await Deno.remove(dir, { recursive: true });
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
