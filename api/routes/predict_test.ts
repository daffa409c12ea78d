import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtureLogOdds, writeFixtureModel } from "../testing/fixture_model.ts";
import { createTestApp, creditTestRows } from "../testing/test_app.ts";
import { sigmoid } from "../scoring/tree_ensemble.ts";
import { PROBLEM_MEDIA_TYPE } from "../http/problem.ts";
import type { Store } from "../store/mod.ts";
import { StoreWriteError } from "../store/mod.ts";

const [row0, row1] = await creditTestRows(2);

async function problemOf(res: Response) {
  assert.equal(res.headers.get("content-type"), PROBLEM_MEDIA_TYPE);
  const body = await res.json();
  assert.equal(body.status, res.status);
  assert.match(body.type, /^\/problems\/[a-z-]+$/);
  assert.equal(typeof body.title, "string");
  assert.ok(body.detail.length > 10, "detail says what to do");
  return body;
}

Deno.test("POST /predict scores a test.csv row, logs exactly one row, and they agree", async () => {
  await using t = await createTestApp();
  const res = await t.post("/predict", { features: row0 }, { "x-request-id": "req-42" });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-request-id"), "req-42");
  const body = await res.json();
  assert.deepEqual(Object.keys(body).sort(), [
    "decision",
    "decision_label",
    "latency_ms",
    "model_version",
    "proba_default",
    "request_id",
    "threshold",
  ]);
  assert.equal(body.request_id, "req-42");
  assert.ok(Math.abs(body.proba_default - sigmoid(fixtureLogOdds(row0))) < 1e-6);
  const reject = body.proba_default >= body.threshold;
  assert.equal(body.decision, reject ? 1 : 0, "the seed's contract: 1 = reject");
  assert.equal(body.decision_label, reject ? "reject" : "approve");
  assert.equal(body.model_version, t.model.meta.model_version);

  assert.equal(await t.store.predictions.count(), 1);
  const [logged] = await t.store.predictions.findByRequestId("req-42");
  assert.equal(logged.proba_default, body.proba_default);
  assert.equal(logged.decision, body.decision);
  assert.equal(logged.threshold, body.threshold);
  assert.equal(logged.model_version, body.model_version);
  assert.ok(logged.latency_ms <= body.latency_ms, "row latency excludes the commit");
  assert.deepEqual(JSON.parse(logged.input_json), row0);
});

Deno.test("a request id the client already used is refused with 409, and nothing is logged again", async () => {
  await using t = await createTestApp();
  const first = await t.post("/predict", { features: row0 }, { "x-request-id": "once" });
  assert.equal(first.status, 200);
  const again = await t.post("/predict", { features: row1 }, { "x-request-id": "once" });
  assert.equal(again.status, 409);
  assert.equal((await problemOf(again)).type, "/problems/duplicate-request-id");
  const batch = await t.post("/predict_batch", { rows: [row0, row1] }, { "x-request-id": "b" });
  assert.equal(batch.status, 200);
  const batchAgain = await t.post("/predict_batch", { rows: [row1] }, { "x-request-id": "b" });
  assert.equal(batchAgain.status, 409, "b:0 was used by the first batch");
  assert.equal(await t.store.predictions.count(), 3);
  const [logged] = await t.store.predictions.findByRequestId("once");
  assert.deepEqual(JSON.parse(logged.input_json), row0, "the first row is kept as it was");
});

Deno.test("POST /predict generates a request id when none (or an unsafe one) is sent", async () => {
  await using t = await createTestApp();
  const res = await t.post("/predict", { features: row0 }, { "x-request-id": "bad id<script>" });
  const body = await res.json();
  assert.notEqual(body.request_id, "bad id<script>");
  assert.match(body.request_id, /^[0-9a-f-]{36}$/);
  assert.equal(res.headers.get("x-request-id"), body.request_id);
});

Deno.test("POST /predict_batch scores 200 rows in order and logs 200 rows", async () => {
  await using t = await createTestApp();
  const rows = await creditTestRows(200);
  const res = await t.post("/predict_batch", { rows }, { "x-request-id": "batch-1" });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.n_rows, 200);
  assert.equal(body.items.length, 200);
  assert.equal(await t.store.predictions.count(), 200);
  for (
    const [i, item] of (body.items as { request_id: string; proba_default: number }[]).entries()
  ) {
    assert.equal(item.request_id, `batch-1:${i}`);
    assert.ok(Math.abs(item.proba_default - sigmoid(fixtureLogOdds(rows[i]))) < 1e-6);
    const [logged] = await t.store.predictions.findByRequestId(item.request_id);
    assert.equal(logged.proba_default, item.proba_default);
  }
});

Deno.test("strict mode refuses absent features and lists them; null is accepted as missing", async () => {
  await using t = await createTestApp();
  const { Income: _income, Job: _job, ...partial } = row0;
  const res = await t.post("/predict", { features: partial });
  assert.equal(res.status, 422);
  const problem = await problemOf(res);
  assert.deepEqual(problem.errors.map((e: { pointer: string }) => e.pointer).sort(), [
    "/features/Income",
    "/features/Job",
  ]);
  const ok = await t.post("/predict", { features: { ...row0, Income: null, Job: null } });
  assert.equal(ok.status, 200);
  assert.equal(await t.store.predictions.count(), 1);
});

Deno.test("relaxed mode treats absent features as missing and logs them as null", async () => {
  await using t = await createTestApp({ config: { strictInput: false } });
  const { Income: _income, ...partial } = row0;
  const res = await t.post("/predict", { features: partial }, { "x-request-id": "relaxed" });
  assert.equal(res.status, 200);
  const body = await res.json();
  const expected = sigmoid(fixtureLogOdds({ ...partial, Income: null }));
  assert.ok(Math.abs(body.proba_default - expected) < 1e-6);
  const [logged] = await t.store.predictions.findByRequestId("relaxed");
  assert.equal(JSON.parse(logged.input_json).Income, null);
});

const badBodies: [string, unknown, number, string][] = [
  ["malformed JSON", '{"features": {', 400, "malformed-json"],
  ["not an object", "[1, 2]", 422, "validation"],
  ["features missing", {}, 422, "validation"],
  ["wrong type", { features: { ...row0, Age: "thirty" } }, 422, "validation"],
  ["NaN as a string", { features: { ...row0, Income: "NaN" } }, 422, "validation"],
  [
    "Infinity via overflow",
    `{"features": ${JSON.stringify(row0).replace(/"Age":\d+/, '"Age":1e999')}}`,
    422,
    "validation",
  ],
  ["unknown feature", { features: { ...row0, Shoe_size: 42 } }, 422, "validation"],
  ["unknown level", { features: { ...row0, Home: "castle" } }, 422, "validation"],
  ["extra top-level field", { features: row0, debug: true }, 422, "validation"],
  [
    "__proto__ key",
    `{"features": ${JSON.stringify(row0).slice(0, -1)}, "__proto__": {"x": 1}}}`,
    422,
    "validation",
  ],
];

for (const [name, body, status, type] of badBodies) {
  Deno.test(`POST /predict refuses ${name} with ${status} problem+json and logs nothing`, async () => {
    await using t = await createTestApp();
    const res = await t.post("/predict", body);
    assert.equal(res.status, status);
    const problem = await problemOf(res);
    assert.equal(problem.type, `/problems/${type}`);
    assert.equal(problem.instance, "/predict");
    assert.equal(await t.store.predictions.count(), 0);
  });
}

Deno.test("errors name the offending field and row in batches", async () => {
  await using t = await createTestApp();
  const res = await t.post("/predict_batch", { rows: [row0, { ...row1, Records: "maybe" }] });
  assert.equal(res.status, 422);
  const problem = await problemOf(res);
  assert.deepEqual(problem.errors, [{
    pointer: "/rows/1/Records",
    row: 1,
    detail: 'unknown level "maybe": expected one of "no", "yes", or null if missing',
  }]);
  assert.equal(await t.store.predictions.count(), 0, "a batch with one bad row logs nothing");
});

Deno.test("empty batch is 422, a batch over MAX_BATCH_ROWS is 413", async () => {
  await using t = await createTestApp({ config: { maxBatchRows: 3 } });
  const empty = await t.post("/predict_batch", { rows: [] });
  assert.equal(empty.status, 422);
  assert.equal((await problemOf(empty)).errors[0].pointer, "/rows");
  const big = await t.post("/predict_batch", { rows: [row0, row0, row0, row0] });
  assert.equal(big.status, 413);
  assert.match((await problemOf(big)).detail, /at most 3 rows/);
  assert.equal(await t.store.predictions.count(), 0);
});

Deno.test("a body over MAX_BODY_BYTES is 413; a non-JSON content type is 415", async () => {
  await using t = await createTestApp({ config: { maxBodyBytes: 2048 } });
  const huge = await t.post("/predict", { features: { ...row0, Home: "x".repeat(4096) } });
  assert.equal(huge.status, 413);
  await problemOf(huge);
  const form = await t.app.request("/predict", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "Age=30",
  });
  assert.equal(form.status, 415);
  await problemOf(form);
  assert.equal(await t.store.predictions.count(), 0);
});

Deno.test("unknown routes are 404 and wrong methods 405, as problems", async () => {
  await using t = await createTestApp();
  const missing = await t.app.request("/nope");
  assert.equal(missing.status, 404);
  await problemOf(missing);
  const wrong = await t.app.request("/predict");
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get("allow"), "POST");
  await problemOf(wrong);
});

function failingStore(store: Store): Store {
  return {
    ...store,
    append: () => Promise.reject(new StoreWriteError(new Error("disk I/O error"))),
    checkWritable: () => Promise.resolve(false),
  } as Store;
}

Deno.test("a failed log write answers 503 problem+json, never 200", async () => {
  await using t = await createTestApp({ wrapStore: failingStore });
  const single = await t.post("/predict", { features: row0 });
  assert.equal(single.status, 503);
  assert.equal(single.headers.get("retry-after"), "5");
  assert.equal((await problemOf(single)).type, "/problems/log-unavailable");
  const batch = await t.post("/predict_batch", { rows: [row0, row1] });
  assert.equal(batch.status, 503);
  await problemOf(batch);
});

Deno.test("a real SQLite write failure (insert aborted by the database) answers 503 and logs nothing", async () => {
  await using t = await createTestApp();
  t.exec(
    "CREATE TRIGGER refuse BEFORE INSERT ON predictions BEGIN SELECT RAISE(ABORT, 'disk full'); END",
  );
  const res = await t.post("/predict_batch", { rows: [row0, row1] });
  assert.equal(res.status, 503);
  await problemOf(res);
  t.exec("DROP TRIGGER refuse");
  assert.equal(await t.store.predictions.count(), 0);
  const again = await t.post("/predict", { features: row0 });
  assert.equal(again.status, 200, "the writer recovers once the fault is gone");
  assert.equal(await t.store.predictions.count(), 1);
});

Deno.test("explain returns up to 4 reasons pushing towards default, and logs them", async () => {
  await using t = await createTestApp();
  // Fixture: Records = yes (+1), Income missing (+0.75), Seniority < 3 (+0.5): all push up.
  const risky = { ...row0, Records: "yes", Income: null, Seniority: 1 };
  const res = await t.post("/predict", { features: risky, explain: true }, {
    "x-request-id": "e1",
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body.reasons.map((r: { feature: string }) => r.feature), [
    "Records",
    "Income",
    "Seniority",
  ]);
  assert.equal(body.reasons[1].value, null);
  assert.equal(body.reasons[0].value, "yes");
  for (const r of body.reasons) assert.ok(r.contribution > 0 && r.reason.length > 0);
  const [logged] = await t.store.predictions.findByRequestId("e1");
  assert.deepEqual(JSON.parse(logged.reasons_json!), body.reasons);
});

Deno.test("?explain=1 works for batches; without it no reasons are returned or logged", async () => {
  await using t = await createTestApp();
  const res = await t.post("/predict_batch?explain=1", { rows: [row0, row1] }, {
    "x-request-id": "eb",
  });
  const body = await res.json();
  assert.ok(Array.isArray(body.items[0].reasons) && Array.isArray(body.items[1].reasons));
  const plain = await (await t.post("/predict", { features: row0 }, { "x-request-id": "p" }))
    .json();
  assert.equal(plain.reasons, undefined);
  assert.equal((await t.store.predictions.findByRequestId("p"))[0].reasons_json, null);
});

Deno.test("a bad ?explain= names the query parameter; a bad body explain points at /explain", async () => {
  await using t = await createTestApp();
  const query = await problemOf(await t.post("/predict?explain=maybe", { features: row0 }));
  assert.equal(query.errors.length, 1);
  assert.equal(query.errors[0].parameter, "explain");
  assert.equal(query.errors[0].pointer, undefined, "not a pointer into the body");
  assert.equal(
    query.errors[0].detail,
    'expected one of "0", "1", "true", "false"; got the string "maybe"',
  );
  assert.match(query.detail, /^1 invalid field\(s\): query parameter explain: /);
  const body = await problemOf(await t.post("/predict", { features: row0, explain: "yes" }));
  assert.deepEqual(body.errors, [
    { pointer: "/explain", detail: 'expected a boolean, got the string "yes"' },
  ]);
  assert.equal(await t.store.predictions.count(), 0);
});

Deno.test("a 900 kB value or key is echoed cut short: the 422 stays small", async () => {
  await using t = await createTestApp({ config: { maxBodyBytes: 1024 * 1024 } });
  const huge = "A".repeat(900_000);
  const bodies = [
    { features: { ...row0, Job: huge } },
    { features: { ...row0, Income: huge } },
    { features: { ...row0, [huge]: 1 } },
    { features: row0, [huge]: true },
    { rows: [row0, { ...row0, Home: huge }] },
  ];
  for (const [i, body] of bodies.entries()) {
    const res = await t.post(i === 4 ? "/predict_batch" : "/predict", body);
    const text = await res.text();
    assert.equal(res.status, 422, `case ${i}`);
    assert.ok(text.length < 2000, `case ${i}: a ${text.length}-character answer`);
    assert.match(text, /AAAA…/, `case ${i}: the value is shown, cut short`);
  }
});

Deno.test("a model without reason codes says why in the response, the OpenAPI document and the site", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const meta = await writeFixtureModel(dir);
    const statement = "this network's sampling explanations would cost 900 ms per row";
    await Deno.writeTextFile(
      join(dir, "model_meta.json"),
      JSON.stringify({ ...meta, reasons: { method: "none", statement } }),
    );
    await using t = await createTestApp({ artifactsDir: dir });
    const res = await t.post("/predict?explain=1", { features: row0 }, { "x-request-id": "n1" });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.reasons, undefined);
    assert.equal(body.reasons_unavailable, statement);
    assert.equal((await t.store.predictions.findByRequestId("n1"))[0].reasons_json, null);
    const plain = await (await t.post("/predict", { features: row0 })).json();
    assert.equal(plain.reasons_unavailable, undefined, "only said when reasons were asked for");
    const doc = await (await t.app.request("/openapi.json")).json();
    assert.match(
      doc.components.schemas.Prediction.properties.reasons.description,
      /900 ms per row/,
    );
    const overview = await (await t.app.request("/monitor")).text();
    assert.match(overview, /data-testid="reason-method">none: this network/);
    const detail = await (await t.app.request("/monitor/predictions/1")).text();
    assert.match(detail, /No reason codes: this model gives no reason codes \(this network/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
