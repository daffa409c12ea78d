import assert from "node:assert/strict";
import { createTestApp, creditTestRows } from "../testing/test_app.ts";

const [row] = await creditTestRows(1);
const scoredAt = new Date("2026-03-01T10:00:00.000Z");

async function appWithPrediction() {
  const t = await createTestApp({ now: () => scoredAt });
  const res = await t.post("/predict", { features: row }, { "x-request-id": "app-1" });
  assert.equal(res.status, 200);
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
  await using t = await createTestApp({ now: () => scoredAt });
  await t.post("/predict_batch", { rows: [row, row] }, { "x-request-id": "b" });
  const res = await t.post("/feedback", {
    request_id: "b:1",
    outcome: "default",
    observed_at: "2026-09-01T00:00:00Z",
  });
  assert.equal(res.status, 201);
});
