import assert from "node:assert/strict";
import { createTestApp, creditTestRows } from "../testing/test_app.ts";

const [row] = await creditTestRows(1);
const scoredAt = new Date("2026-03-01T10:00:00.000Z");
/** When the outcomes below are reported: after every `observed_at` they carry. */
const reportedAt = new Date("2026-10-01T00:00:00.000Z");

/** A test app whose clock reads `scoredAt` until `advance()` moves it to `reportedAt`. */
async function appAtScoringTime() {
  let clock = scoredAt;
  const t = await createTestApp({ now: () => clock });
  return Object.assign(t, { advance: () => void (clock = reportedAt) });
}

async function appWithPrediction() {
  const t = await appAtScoringTime();
  const res = await t.post("/predict", { features: row }, { "x-request-id": "app-1" });
  assert.equal(res.status, 200);
  t.advance();
  return t;
}

const outcomeCount = (t: Awaited<ReturnType<typeof createTestApp>>) => t.countRows("outcomes");

Deno.test("an outcome is recorded once (201) and an identical repeat is idempotent (200)", async () => {
  await using t = await appWithPrediction();
  const body = {
    request_id: "app-1",
    outcome: "default",
    observed_at: "2026-09-01T00:00:00+02:00",
  };
  const first = await t.post("/feedback", body);
  assert.equal(first.status, 201);
  const recorded = await first.json();
  assert.equal(recorded.status, "recorded");
  assert.equal(recorded.observed_at, "2026-08-31T22:00:00.000Z", "normalised to UTC");
  const again = await t.post("/feedback", body);
  assert.equal(again.status, 200);
  const repeat = await again.json();
  assert.equal(repeat.status, "unchanged");
  assert.equal(repeat.recorded_at, recorded.recorded_at);
  assert.equal(outcomeCount(t), 1);
});

Deno.test("a different outcome for the same request is refused with 409 and the first kept", async () => {
  await using t = await appWithPrediction();
  await t.post("/feedback", {
    request_id: "app-1",
    outcome: "repaid",
    observed_at: "2026-09-01T00:00:00Z",
  });
  const res = await t.post("/feedback", {
    request_id: "app-1",
    outcome: "default",
    observed_at: "2026-09-01T00:00:00Z",
  });
  assert.equal(res.status, 409);
  assert.equal(res.headers.get("content-type"), "application/problem+json");
  const [kept] = await t.store.outcomes.labelledOnly({ limit: 1, scanRows: 1 });
  assert.equal(kept.label, 0, "repaid");
});

Deno.test("an unknown request id is 404 problem+json and stores nothing", async () => {
  await using t = await appWithPrediction();
  const res = await t.post("/feedback", {
    request_id: "nobody",
    outcome: "repaid",
    observed_at: "2026-09-01T00:00:00Z",
  });
  assert.equal(res.status, 404);
  assert.match((await res.json()).detail, /no prediction with request_id "nobody"/);
  assert.equal(outcomeCount(t), 0);
});

const invalid: [string, unknown][] = [
  ["an unknown outcome", {
    request_id: "app-1",
    outcome: "late",
    observed_at: "2026-09-01T00:00:00Z",
  }],
  ["a date without a time zone", {
    request_id: "app-1",
    outcome: "repaid",
    observed_at: "2026-09-01",
  }],
  ["a missing request_id", { outcome: "repaid", observed_at: "2026-09-01T00:00:00Z" }],
  ["an extra field", {
    request_id: "app-1",
    outcome: "repaid",
    observed_at: "2026-09-01T00:00:00Z",
    x: 1,
  }],
  ["an outcome observed before the scoring", {
    request_id: "app-1",
    outcome: "repaid",
    observed_at: "2026-02-01T00:00:00Z",
  }],
];

for (const [name, body] of invalid) {
  Deno.test(`feedback with ${name} is 422 and stores nothing`, async () => {
    await using t = await appWithPrediction();
    const res = await t.post("/feedback", body);
    assert.equal(res.status, 422);
    assert.ok((await res.json()).errors.length >= 1);
    assert.equal(outcomeCount(t), 0);
  });
}

Deno.test("batch items take feedback under their own ids", async () => {
  await using t = await appAtScoringTime();
  await t.post("/predict_batch", { rows: [row, row] }, { "x-request-id": "b" });
  t.advance();
  const res = await t.post("/feedback", {
    request_id: "b:1",
    outcome: "default",
    observed_at: "2026-09-01T00:00:00Z",
  });
  assert.equal(res.status, 201);
});

Deno.test('"outcome": null names the outcomes, without "null if missing"', async () => {
  await using t = await appWithPrediction();
  const res = await t.post("/feedback", {
    request_id: "app-1",
    outcome: null,
    observed_at: "2026-09-01T00:00:00Z",
  });
  assert.equal(res.status, 422);
  const problem = await res.json();
  assert.deepEqual(problem.errors, [
    { pointer: "/outcome", detail: 'expected one of "default", "repaid"; got null' },
  ]);
  assert.ok(!problem.detail.includes("if missing"));
});

Deno.test("observed_at is compared as an instant: the future (year 10000 too) is refused as such", async () => {
  await using t = await appWithPrediction();
  const cases = [
    ["9999-12-31T23:59:59-14:00", "+010000-01-01T13:59:59.000Z"],
    ["2099-01-01T00:00:00Z", "2099-01-01T00:00:00.000Z"],
    ["2026-10-01T00:05:01Z", "2026-10-01T00:05:01.000Z"],
  ];
  for (const [observedAt, normalised] of cases) {
    const res = await t.post("/feedback", {
      request_id: "app-1",
      outcome: "repaid",
      observed_at: observedAt,
    });
    assert.equal(res.status, 422, observedAt);
    const problem = await res.json();
    assert.equal(
      problem.detail,
      `observed_at ${normalised} is in the future: the service's clock says ` +
        "2026-10-01T00:00:00.000Z, and at most 5 minutes of clock skew are allowed; report an " +
        "outcome once it has been observed",
    );
    assert.deepEqual(problem.errors, [
      { pointer: "/observed_at", detail: "must not be in the future" },
    ]);
  }
  assert.equal(outcomeCount(t), 0);
  const skewed = await t.post("/feedback", {
    request_id: "app-1",
    outcome: "repaid",
    observed_at: "2026-10-01T00:04:59Z",
  });
  assert.equal(skewed.status, 201, "a clock a little ahead of the service's is fine");
});

Deno.test("another client's request id reads as unknown: no outcome, no scoring time, no 409", async () => {
  const A = "client-a-key-000000000001";
  const B = "client-b-key-000000000001";
  const ADMIN = "admin-key-000000000000001";
  let clock = scoredAt;
  await using t = await createTestApp({
    config: { apiKeys: [A, B], adminKeys: [ADMIN] },
    now: () => clock,
  });
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  assert.equal(
    (await t.post("/predict", { features: row }, { ...as(A), "x-request-id": "shared" })).status,
    200,
  );
  clock = reportedAt;
  const outcome = { request_id: "shared", outcome: "default", observed_at: "2026-09-01T00:00:00Z" };
  assert.equal((await t.post("/feedback", outcome, as(A))).status, 201);

  const detailOf = async (res: Response) => {
    assert.equal(res.status, 404);
    return (await res.json()).detail.replaceAll('"shared"', '"ID"').replaceAll('"never"', '"ID"');
  };
  const unknown = await detailOf(
    await t.post("/feedback", { ...outcome, request_id: "never" }, as(B)),
  );
  for (
    const probe of [
      outcome, // the same outcome A recorded
      { ...outcome, outcome: "repaid" }, // another outcome: no 409 carrying A's
      { ...outcome, observed_at: "2026-01-01T00:00:00Z" }, // before A's scoring: no time leaked
    ]
  ) {
    const detail = await detailOf(await t.post("/feedback", probe, as(B)));
    assert.equal(detail, unknown, "exactly the answer to an id nobody used");
    for (const secret of ["default", "2026-03-01", "2026-09-01", "scored"]) {
      assert.ok(!detail.includes(secret), `${JSON.stringify(detail)} reveals ${secret}`);
    }
  }
  assert.equal(outcomeCount(t), 1, "B recorded nothing over A's outcome");

  // B may use the same id for its own application; an admin then has to say whose it is.
  assert.equal(
    (await t.post("/predict", { features: row }, { ...as(B), "x-request-id": "shared" })).status,
    200,
  );
  const admin = await t.post(
    "/feedback",
    { ...outcome, observed_at: "2026-09-30T00:00:00Z" },
    as(ADMIN),
  );
  assert.equal(admin.status, 409);
  assert.match((await admin.json()).detail, /^2 clients used request_id "shared"/);
});
