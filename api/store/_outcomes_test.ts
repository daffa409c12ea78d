import assert from "node:assert/strict";
import { storeTest, testRecord } from "../testing/temp_store.ts";

const SCORED = "2026-01-01T00:00:00.000Z";
const LATER = "2026-06-01T00:00:00.000Z";
const NOW = new Date("2026-07-01T00:00:00.000Z");

const input = (requestId: string, clientId: string | undefined, outcome: "default" | "repaid") => ({
  request_id: requestId,
  client_id: clientId,
  outcome,
  observed_at: LATER,
});

storeTest(
  "an outcome is recorded once: repeats are unchanged, a different one conflicts",
  async (t) => {
    await t.store.append({ rows: [testRecord("a", { ts_utc: SCORED })] });
    const first = await t.store.outcomes.record(input("a", "", "default"), NOW);
    assert.equal(first.status, "recorded");
    assert.deepEqual((first as { record: unknown }).record, {
      request_id: "a",
      client_id: "",
      outcome: "default",
      observed_at: LATER,
      recorded_at: NOW.toISOString(),
    });
    assert.equal(
      (await t.store.outcomes.record(input("a", "", "default"), NOW)).status,
      "unchanged",
    );
    const conflict = await t.store.outcomes.record(input("a", "", "repaid"), NOW);
    assert.equal(conflict.status, "conflict");
    assert.equal((conflict as { record: { outcome: string } }).record.outcome, "default");
  },
);

storeTest("unknown ids and outcomes observed before the scoring are refused", async (t) => {
  await t.store.append({ rows: [testRecord("a", { ts_utc: SCORED })] });
  assert.deepEqual(await t.store.outcomes.record(input("zzz", "", "repaid"), NOW), {
    status: "unknown_request",
  });
  assert.deepEqual(
    await t.store.outcomes.record({
      ...input("a", "", "repaid"),
      observed_at: "2025-01-01T00:00:00.000Z",
    }, NOW),
    { status: "before_prediction", predicted_at: SCORED },
  );
});

storeTest(
  "a client sees and reports only its own predictions; an admin needs an unambiguous id",
  async (t) => {
    await t.store.append({ rows: [testRecord("shared", { ts_utc: SCORED, client_id: "k1" })] });
    await t.store.append({ rows: [testRecord("shared", { ts_utc: SCORED, client_id: "k2" })] });
    await t.store.append({ rows: [testRecord("mine", { ts_utc: SCORED, client_id: "k1" })] });
    assert.equal(
      (await t.store.outcomes.record(input("mine", "k2", "default"), NOW)).status,
      "unknown_request",
      "another client's id is unknown to k2",
    );
    assert.equal(
      (await t.store.outcomes.record(input("shared", "k1", "default"), NOW)).status,
      "recorded",
    );
    assert.equal(
      (await t.store.outcomes.record(input("shared", "k2", "repaid"), NOW)).status,
      "recorded",
      "k1's outcome does not conflict with k2's",
    );
    assert.deepEqual(await t.store.outcomes.record(input("shared", undefined, "repaid"), NOW), {
      status: "ambiguous",
      clients: 2,
    });
    assert.equal(
      (await t.store.outcomes.record(input("mine", undefined, "repaid"), NOW)).status,
      "recorded",
    );
  },
);

storeTest("labelled reads join outcomes to their own client's prediction", async (t) => {
  await t.store.append({
    rows: [testRecord("x", { ts_utc: SCORED, client_id: "k1", proba_default: 0.9, decision: 1 })],
  });
  await t.store.append({
    rows: [testRecord("x", { ts_utc: LATER, client_id: "k2", proba_default: 0.1 })],
  });
  await t.store.outcomes.record(input("x", "k1", "default"), NOW);
  assert.deepEqual(await t.store.outcomes.labelled({ limit: 10 }), [
    { proba: 0.9, decision: 1, label: 1 },
    { proba: 0.1, decision: 0, label: null },
  ]);
  assert.deepEqual(await t.store.outcomes.labelledOnly({ limit: 10, scanRows: 10 }), [
    { proba: 0.9, decision: 1, label: 1 },
  ]);
  assert.deepEqual(await t.store.outcomes.labelled({ since: LATER, limit: 10 }), [
    { proba: 0.1, decision: 0, label: null },
  ]);
});
