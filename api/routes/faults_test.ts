/**
 * The audit log failing under the API: locked (by another connection, by
 * another process), full, query-only, read-only.
 * In every case: /predict and /predict_batch answer 503 problem+json, ready
 * answers 503, no 200 goes out without its log row — and once the fault is
 * gone the service recovers by itself.
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { PROBLEM_MEDIA_TYPE } from "../http/problem.ts";
import { openStore, type Store } from "../store/mod.ts";
import { spawnLockHolder, waitUntilLocked } from "../testing/lock_holder.ts";
import { createTestApp, creditTestRows, type TestApp } from "../testing/test_app.ts";

const [row0, row1] = await creditTestRows(2);
let seq = 0;
const nextId = (prefix: string) => `${prefix}-${++seq}`;

async function assertProblem(res: Response, status: number) {
  assert.equal(res.status, status);
  assert.equal(res.headers.get("content-type"), PROBLEM_MEDIA_TYPE);
  const body = await res.json();
  assert.equal(body.status, status);
  assert.equal(typeof body.title, "string");
  assert.equal(typeof body.detail, "string");
  assert.ok(!/sqlite|SQLITE|at file:|\.ts:/.test(body.detail), "no internals in the detail");
  return body;
}

/** Every scoring route answers 503 log-unavailable, ready is 503, nothing is logged. */
async function assertUnavailable(t: TestApp, store: Pick<Store, "predictions"> = t.store) {
  const before = await store.predictions.count();
  const single = await t.post("/predict", { features: row0 }, { "x-request-id": nextId("down") });
  assert.equal((await assertProblem(single, 503)).type, "/problems/log-unavailable");
  assert.equal(single.headers.get("retry-after"), "5");
  const batch = await t.post("/predict_batch", { rows: [row0, row1] });
  await assertProblem(batch, 503);
  await assertProblem(await t.app.request("/health/ready"), 503);
  const health = await (await t.app.request("/health")).json();
  assert.equal(health.status, "degraded");
  assert.equal(await store.predictions.count(), before, "nothing was logged");
}

/** The next request is scored and logged, and ready is 200 again. */
async function assertRecovered(t: TestApp) {
  const id = nextId("up");
  const res = await t.post("/predict", { features: row0 }, { "x-request-id": id });
  assert.equal(res.status, 200);
  const body = await res.json();
  const [logged] = await t.store.predictions.findByRequestId(id);
  assert.equal(logged?.proba_default, body.proba_default, "the 200 has its log row");
  assert.equal((await t.app.request("/health/ready")).status, 200);
}

Deno.test("locked by another connection: 503 while locked, recovers when released", async () => {
  await using t = await createTestApp();
  await assertRecovered(t);
  const other = new DatabaseSync(t.dbPath);
  other.exec("BEGIN EXCLUSIVE");
  try {
    await assertUnavailable(t);
  } finally {
    other.exec("ROLLBACK");
    other.close();
  }
  await assertRecovered(t);
});

Deno.test("locked by another process: 503 while locked, recovers when it releases or is killed", async () => {
  await using t = await createTestApp();
  for (const end of ["release", "SIGKILL"] as const) {
    const holder = spawnLockHolder(t.dbPath, dirname(t.dbPath));
    try {
      await waitUntilLocked(holder);
      await assertUnavailable(t);
    } finally {
      if (end === "release") await holder.stdin.close();
      else {
        holder.kill("SIGKILL");
        await holder.stdin.close().catch(() => {});
      }
      await holder.stdout.cancel();
      await holder.status;
    }
    await assertRecovered(t);
  }
});

Deno.test("disk full: every 200 is logged, then 503 and not ready; freeing space recovers", async () => {
  // max_page_count below the current size pins the database at its size.
  await using t = await createTestApp({ store: { pragmas: ["max_page_count = 1"] } });
  let full: Response | undefined;
  for (let i = 0; i < 5_000 && !full; i++) {
    const id = nextId("fill");
    const res = await t.post("/predict", { features: row0 }, { "x-request-id": id });
    if (res.status === 200) {
      assert.equal(
        (await t.store.predictions.findByRequestId(id)).length,
        1,
        "a 200 always has its row",
      );
      await res.body?.cancel();
    } else full = res;
  }
  assert.ok(full, "the database filled up");
  assert.equal((await assertProblem(full, 503)).type, "/problems/log-unavailable");
  await assertUnavailable(t);
  await t.store.erase.olderThan("9999-01-01T00:00:00Z"); // the operator frees space
  await assertRecovered(t);
});

Deno.test("query-only database: 503 and not ready, nothing logged", async () => {
  await using t = await createTestApp({ store: { pragmas: ["query_only = ON"] } });
  await assertUnavailable(t);
});

Deno.test("read-only database: 503 and not ready, nothing logged", async () => {
  let readOnly: Store | undefined;
  await using t = await createTestApp({
    wrapStore: async (store) => (readOnly = await openStore(store.target, { readOnly: true })),
  });
  try {
    await assertUnavailable(t, readOnly);
  } finally {
    await readOnly?.close();
  }
});

// The outcome recorder writes through the store's own connection: its SQLite
// errors must become 503, not an unhandled 500.
Deno.test("POST /feedback on a locked database answers 503 problem+json, not 500", async () => {
  await using t = await createTestApp();
  const id = nextId("fb");
  const scored = await t.post("/predict", { features: row0 }, { "x-request-id": id });
  assert.equal(scored.status, 200);
  await scored.body?.cancel();
  const other = new DatabaseSync(t.dbPath);
  other.exec("BEGIN EXCLUSIVE");
  const consoleError = console.error;
  console.error = () => {};
  try {
    const res = await t.post("/feedback", {
      request_id: id,
      outcome: "repaid",
      observed_at: new Date().toISOString(),
    });
    assert.equal((await assertProblem(res, 503)).type, "/problems/log-unavailable");
  } finally {
    console.error = consoleError;
    other.exec("ROLLBACK");
    other.close();
  }
  const again = await t.post("/feedback", {
    request_id: id,
    outcome: "repaid",
    observed_at: new Date().toISOString(),
  });
  assert.equal(again.status, 201, "recorded once the lock is gone");
  await again.body?.cancel();
});
