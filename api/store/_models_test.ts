import assert from "node:assert/strict";
import { openStore } from "./mod.ts";
import { storeTest, testRecord } from "../testing/temp_store.ts";
import type { ModelChangeRow } from "./_models.ts";

const change = (
  action: ModelChangeRow["action"],
  to: string,
  at: string,
  from: string | null = null,
): ModelChangeRow => ({
  at,
  key_id: "k1",
  action,
  from_version: from,
  to_version: to,
  reason: `${action} ${to}`,
});

storeTest(
  "model state: none at first, then changed by compare-and-set with its audit row",
  async (t) => {
    const m = t.store.models;
    assert.equal(await m.state(), null);
    assert.deepEqual(await m.changes(10), []);
    const first = { champion: "b", previous: "a", shadows: [] };
    assert.equal(await m.change(0, first, change("promote", "b", "t1", "a")), true);
    assert.equal(
      await m.change(0, { ...first, champion: "c" }, change("promote", "c", "t2", "a")),
      false,
      "a second first writer loses",
    );
    assert.deepEqual(await m.state(), { revision: 1, ...first, updated_at: "t1" });
    const second = { champion: "b", previous: "a", shadows: ["c", "d"] };
    assert.equal(await m.change(1, second, change("shadow_on", "c", "t3")), true);
    assert.equal(
      await m.change(1, { ...second, shadows: [] }, change("shadow_off", "c", "t4")),
      false,
      "stale revision",
    );
    assert.deepEqual(await m.state(), { revision: 2, ...second, updated_at: "t3" });
    assert.deepEqual(await m.changes(10), [
      change("shadow_on", "c", "t3"),
      change("promote", "b", "t1", "a"),
    ]);
    assert.deepEqual(await m.changes(1), [change("shadow_on", "c", "t3")]);
  },
);

storeTest(
  "model state: another connection to the same database sees the change (replicas)",
  async (t) => {
    const other = await openStore(t.store.target, { synchronous: "NORMAL", poolSize: 1 });
    try {
      assert.equal(await other.models.state(), null);
      await t.store.models.change(
        0,
        { champion: "x", previous: "y", shadows: ["z"] },
        change("promote", "x", "t1", "y"),
      );
      const seen = await other.models.state();
      assert.deepEqual([seen?.revision, seen?.champion, seen?.shadows], [1, "x", ["z"]]);
    } finally {
      await other.close();
    }
  },
);

storeTest("rows scored per version count champion rows and shadow rows", async (t) => {
  await t.store.append({
    rows: [testRecord("r1", { model_version: "a" }), testRecord("r2", { model_version: "a" })],
    shadows: [
      { row: 0, model_version: "b", proba_default: 0.1, threshold: 0.5, decision: 0 },
      { row: 1, model_version: "b", proba_default: 0.7, threshold: 0.5, decision: 1 },
    ],
  });
  await t.store.append({ rows: [testRecord("r3", { model_version: "b" })] });
  assert.deepEqual(
    Object.fromEntries(await t.store.models.rowsScored()),
    { a: 2, b: 3 },
  );
});
