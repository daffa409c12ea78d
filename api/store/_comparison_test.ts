import assert from "node:assert/strict";
import { storeTest, type TempStore, testRecord } from "../testing/temp_store.ts";
import type { PairCell } from "./mod.ts";

const T0 = "2026-03-01T10:00:00.000Z";
const T1 = "2026-03-02T10:00:00.000Z";
const OBSERVED = "2026-06-01T00:00:00.000Z";

/**
 * r1–r3: m1 answered, m2 in the shadow; r4: m2 answered (promoted), m1 in the
 * shadow; r5: another challenger; r6: no shadow. Outcomes: r1 and r4
 * defaulted, r3 repaid.
 */
async function seed(t: TempStore): Promise<void> {
  const entry = (
    id: string,
    ts: string,
    answered: [string, number, 0 | 1],
    shadow?: [string, number, 0 | 1],
  ) =>
    t.store.append({
      rows: [testRecord(id, {
        ts_utc: ts,
        model_version: answered[0],
        proba_default: answered[1],
        decision: answered[2],
      })],
      shadows: shadow
        ? [{
          row: 0,
          model_version: shadow[0],
          proba_default: shadow[1],
          threshold: 0.5,
          decision: shadow[2],
        }]
        : [],
    });
  await entry("r1", T0, ["m1", 0.12, 0], ["m2", 0.55, 1]);
  await entry("r2", T0, ["m1", 0.7, 1], ["m2", 0.71, 1]);
  await entry("r3", T0, ["m1", 0.05, 0], ["m2", 0.049, 0]);
  await entry("r4", T1, ["m2", 0.3, 0], ["m1", 1, 1]);
  await entry("r5", T1, ["m1", 0.4, 0], ["m3", 0.6, 1]);
  await entry("r6", T1, ["m1", 0.2, 0]);
  for (const [id, outcome] of [["r1", "default"], ["r4", "default"], ["r3", "repaid"]] as const) {
    const r = await t.store.outcomes.record(
      { request_id: id, client_id: "", outcome, observed_at: OBSERVED },
      new Date(OBSERVED),
    );
    assert.equal(r.status, "recorded");
  }
}

const byKey = (cells: PairCell[]) =>
  [...cells].sort((a, b) => a.champion_bin - b.champion_bin || a.challenger_bin - b.challenger_bin);

storeTest(
  "comparison cells pair both directions of two versions, binned, with outcomes",
  async (t) => {
    await seed(t);
    const cells = await t.store.comparison.cells({ champion: "m1", challenger: "m2", bins: 10 });
    assert.deepEqual(byKey(cells), [
      // r3: 0.05·10 = 0.5 and 0.049·10 = 0.49 are both in bin 0.
      {
        champion_bin: 0,
        challenger_bin: 0,
        champion_decision: 0,
        challenger_decision: 0,
        label: 0,
        challenger_answered: false,
        n: 1,
      },
      {
        champion_bin: 1,
        challenger_bin: 5,
        champion_decision: 0,
        challenger_decision: 1,
        label: 1,
        challenger_answered: false,
        n: 1,
      },
      {
        champion_bin: 7,
        challenger_bin: 7,
        champion_decision: 1,
        challenger_decision: 1,
        label: null,
        challenger_answered: false,
        n: 1,
      },
      // r4: m1 scored 1.0 in the shadow, counted in the last bin.
      {
        champion_bin: 9,
        challenger_bin: 3,
        champion_decision: 1,
        challenger_decision: 0,
        label: 1,
        challenger_answered: true,
        n: 1,
      },
    ]);
    assert.deepEqual(
      await t.store.comparison.cells({ champion: "m1", challenger: "m9", bins: 10 }),
      [],
    );
  },
);

storeTest("comparison reads are windowed in time", async (t) => {
  await seed(t);
  const later = await t.store.comparison.cells({
    champion: "m1",
    challenger: "m2",
    bins: 20,
    since: T1,
  });
  assert.deepEqual(later.map((c) => [c.champion_bin, c.challenger_bin, c.n]), [[19, 6, 1]]);
  const earlier = await t.store.comparison.cells({
    champion: "m1",
    challenger: "m2",
    bins: 20,
    until: T1,
  });
  assert.equal(earlier.reduce((s, c) => s + c.n, 0), 3);
  assert.equal(earlier.some((c) => c.challenger_answered), false);
  assert.deepEqual(
    await t.store.comparison.labelled({ champion: "m1", challenger: "m2", limit: 5, until: T1 }),
    [
      { champion: 0.12, challenger: 0.55, champion_decision: 0, challenger_decision: 1, label: 1 },
      { champion: 0.05, challenger: 0.049, champion_decision: 0, challenger_decision: 0, label: 0 },
    ],
  );
  assert.deepEqual(
    await t.store.comparison.cells({
      champion: "m1",
      challenger: "m2",
      bins: 20,
      since: "2027-01-01T00:00:00.000Z",
    }),
    [],
  );
});

storeTest("labelled pairs: the most recent with an outcome, oldest first", async (t) => {
  await seed(t);
  const q = { champion: "m1", challenger: "m2" };
  assert.deepEqual(await t.store.comparison.labelled({ ...q, limit: 10 }), [
    { champion: 0.12, challenger: 0.55, champion_decision: 0, challenger_decision: 1, label: 1 },
    { champion: 0.05, challenger: 0.049, champion_decision: 0, challenger_decision: 0, label: 0 },
    { champion: 1, challenger: 0.3, champion_decision: 1, challenger_decision: 0, label: 1 },
  ]);
  assert.deepEqual(
    (await t.store.comparison.labelled({ ...q, limit: 2 })).map((r) => r.challenger),
    [0.049, 0.3],
  );
  assert.deepEqual(await t.store.comparison.labelled({ ...q, limit: 0 }), []);
});

storeTest("comparison cells refuse a bin count outside 1…100", async (t) => {
  await assert.rejects(
    t.store.comparison.cells({ champion: "a", challenger: "b", bins: 0 }),
    RangeError,
  );
});

storeTest(
  "a version's rows: those it answered and those it shadowed, with its own scores",
  async (t) => {
    await seed(t);
    const rows = [];
    for await (const page of t.store.predictions.pages({ modelVersion: "m2" }, 2)) {
      rows.push(
        ...page,
      );
    }
    assert.deepEqual(
      rows.map((r) => [r.request_id, r.model_version, r.proba_default, r.decision, r.threshold]),
      [
        ["r1", "m2", 0.55, 1, 0.5],
        ["r2", "m2", 0.71, 1, 0.5],
        ["r3", "m2", 0.049, 0, 0.5],
        ["r4", "m2", 0.3, 0, 0.5],
      ],
    );
    assert.equal(rows[0].input_json, JSON.stringify({ secret: "applicant r1" }));
    assert.equal(await t.store.predictions.count({ modelVersion: "m2" }), 4);
    assert.equal(await t.store.predictions.count({ modelVersion: "m1" }), 6);
    assert.equal(await t.store.predictions.count({ modelVersion: "m2", since: T1 }), 1);
    const recent = [];
    for await (const page of t.store.predictions.pages({ modelVersion: "m1", limit: 3 })) {
      recent.push(...page);
    }
    assert.deepEqual(recent.map((r) => [r.request_id, r.proba_default]), [
      ["r4", 1],
      ["r5", 0.4],
      ["r6", 0.2],
    ]);
  },
);

storeTest("a version's labelled rows carry its own score and decision", async (t) => {
  await seed(t);
  assert.deepEqual(await t.store.outcomes.labelled({ modelVersion: "m2", limit: 10 }), [
    { proba: 0.55, decision: 1, label: 1 },
    { proba: 0.71, decision: 1, label: null },
    { proba: 0.049, decision: 0, label: 0 },
    { proba: 0.3, decision: 0, label: 1 },
  ]);
  assert.deepEqual(
    await t.store.outcomes.labelledOnly({ modelVersion: "m2", limit: 2, scanRows: 10 }),
    [{ proba: 0.049, decision: 0, label: 0 }, { proba: 0.3, decision: 0, label: 1 }],
  );
  assert.deepEqual(
    await t.store.outcomes.labelled({ modelVersion: "m3", limit: 10 }),
    [{ proba: 0.6, decision: 1, label: null }],
  );
});

storeTest("comparison cells of the most recent paired rows of each direction", async (t) => {
  await seed(t);
  const cells = await t.store.comparison.cells({
    champion: "m1",
    challenger: "m2",
    bins: 10,
    limit: 1,
  });
  // m1 answered r1–r3 (the most recent: r3); m2 answered r4.
  assert.deepEqual(byKey(cells).map((c) => [c.champion_bin, c.challenger_bin, c.label, c.n]), [
    [0, 0, 0, 1],
    [9, 3, 1, 1],
  ]);
  assert.deepEqual(
    await t.store.comparison.cells({ champion: "m1", challenger: "m2", bins: 10, limit: 0 }),
    [],
  );
});
