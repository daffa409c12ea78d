import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { loadModel, type ScoringModel } from "./scoring/model.ts";
import type { ModelSet } from "./scoring/model_set.ts";
import { createPredictor } from "./predictor.ts";
import { allRows, createTempStore } from "./testing/temp_store.ts";
import { writeFixtureModel } from "./testing/fixture_model.ts";
import { creditTestRows } from "./testing/test_app.ts";

const champion = await loadModel("artifacts");
const fixtureDir = await Deno.makeTempDir({ prefix: "predictor_test_" });
await writeFixtureModel(fixtureDir);
const challenger = await loadModel(fixtureDir);
const rows = await creditTestRows(5);

/** A model whose every run fails (a broken challenger). */
const failing = (model: ScoringModel): ScoringModel =>
  Object.assign(Object.create(model), {
    scoreRows: () => Promise.reject(new Error("the shadow's session is gone")),
  });

Deno.test("a shadow scores every row beside the champion: logged, never answered", async () => {
  await using t = await createTempStore();
  const set: ModelSet = { champion, shadows: [challenger] };
  const predictor = createPredictor({ models: () => set, store: t.store });
  const ids = rows.map((_, i) => `s${i}`);
  const answers = await predictor.predict(rows, {
    requestIds: ids,
    clientId: "",
    startedAt: performance.now(),
    explain: true,
  });
  const championScores = await champion.scoreRows(rows);
  const shadowScores = await challenger.scoreRows(rows);
  assert.deepEqual(answers.map((a) => a.proba_default), [...championScores]);
  assert.ok(answers.every((a) => a.model_version === champion.meta.model_version));
  assert.equal(await t.countRows("shadow_predictions"), rows.length);
  const logged = await allRows(t.store);
  assert.ok(logged.every((r) => r.model_version === champion.meta.model_version));
  // The shadow rows, read back through a connection of their own.
  const db = new DatabaseSync(t.path, { readOnly: true });
  const shadow = db.prepare(
    `SELECT p.request_id, s.model_version, s.proba_default, s.decision, s.reasons_json
       FROM shadow_predictions s JOIN predictions p ON p.id = s.prediction_id ORDER BY p.id`,
  ).all() as {
    request_id: string;
    model_version: string;
    proba_default: number;
    reasons_json: string;
  }[];
  db.close();
  assert.deepEqual(shadow.map((r) => r.request_id), ids);
  assert.ok(shadow.every((r) => r.model_version === challenger.meta.model_version));
  assert.deepEqual(shadow.map((r) => r.proba_default), [...shadowScores]);
  assert.ok(shadow.every((r) => Array.isArray(JSON.parse(r.reasons_json))), "reasons when asked");
});

Deno.test("a failing shadow never fails the answer: the champion's rows are logged without it", async () => {
  await using t = await createTempStore();
  const errors: string[] = [];
  const predictor = createPredictor({
    models: () => ({ champion, shadows: [failing(challenger)] }),
    store: t.store,
    onShadowError: (shadow) => errors.push(shadow.model_version),
  });
  const [answer] = await predictor.predict(rows.slice(0, 1), {
    requestIds: ["f1"],
    clientId: "",
    startedAt: performance.now(),
  });
  assert.equal(answer.model_version, champion.meta.model_version);
  assert.equal(await t.store.predictions.count(), 1);
  assert.equal(await t.countRows("shadow_predictions"), 0);
  assert.deepEqual(errors, [challenger.meta.model_version]);
});

Deno.test("each request reads the model set once: a swap mid-traffic never mixes champions", async () => {
  await using t = await createTempStore();
  let set: ModelSet = { champion, shadows: [] };
  const predictor = createPredictor({ models: () => set, store: t.store });
  const pending = Array.from({ length: 20 }, (_, i) => {
    if (i === 10) set = { champion: challenger, shadows: [] };
    return predictor.predict(rows.slice(0, 2), {
      requestIds: [`w${i}:0`, `w${i}:1`],
      clientId: "",
      startedAt: performance.now(),
    });
  });
  const answers = await Promise.all(pending);
  answers.forEach((items, i) => {
    const expected = (i < 10 ? champion : challenger).meta.model_version;
    assert.ok(items.every((a) => a.model_version === expected), `request ${i}`);
  });
  const logged = await allRows(t.store);
  const byId = new Map(logged.map((r) => [r.request_id, r.model_version]));
  answers.flat().forEach((a) => assert.equal(byId.get(a.request_id), a.model_version));
});

Deno.test("the calls of one turn share one ONNX run per model and one commit", async () => {
  const commits: number[] = [];
  await using t = await createTempStore({ onCommit: (rows) => commits.push(rows) });
  const runs: number[] = [];
  const counted = await loadModel("artifacts", { events: { onBatch: (n) => runs.push(n) } });
  try {
    const set: ModelSet = { champion: counted, shadows: [] };
    const predictor = createPredictor({
      models: () => set,
      store: t.store,
    });
    const calls = Array.from(
      { length: 8 },
      (_, i) =>
        predictor.predict(rows.slice(0, 1 + (i % 2)), {
          requestIds: i % 2 ? [`t${i}:0`, `t${i}:1`] : [`t${i}`],
          clientId: "",
          startedAt: performance.now(),
        }),
    );
    const answers = await Promise.all(calls);
    assert.deepEqual(runs.slice(-1), [12], "one ONNX run for the 12 rows of 8 calls");
    assert.deepEqual(commits, [12], "one commit for all of them");
    assert.equal(answers.flat().length, 12);
  } finally {
    await counted.release();
  }
});

addEventListener("unload", () => {
  champion.release();
  challenger.release();
  Deno.removeSync(fixtureDir, { recursive: true });
});
