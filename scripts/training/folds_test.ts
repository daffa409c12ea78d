import assert from "node:assert/strict";
import { stratifiedFolds, stratifiedHoldout } from "./folds.ts";

const LABELS = Array.from({ length: 103 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // 26 positives

Deno.test("stratifiedFolds: balanced sizes, each fold keeps the positive share", () => {
  const folds = stratifiedFolds(LABELS, { k: 5, seed: 7 });
  for (let k = 0; k < 5; k++) {
    const rows = LABELS.filter((_, i) => folds[i] === k);
    assert.ok(rows.length === 20 || rows.length === 21, `fold ${k}: ${rows.length} rows`);
    const positives = rows.filter((y) => y === 1).length;
    assert.ok(positives === 5 || positives === 6, `fold ${k}: ${positives} positives`);
  }
});

Deno.test("stratifiedFolds is seeded: same seed same folds, other seed other folds", () => {
  assert.deepEqual(
    stratifiedFolds(LABELS, { k: 5, seed: 7 }),
    stratifiedFolds(LABELS, { k: 5, seed: 7 }),
  );
  assert.notDeepEqual(
    stratifiedFolds(LABELS, { k: 5, seed: 7 }),
    stratifiedFolds(LABELS, { k: 5, seed: 8 }),
  );
  assert.throws(() => stratifiedFolds(LABELS, { k: 1, seed: 7 }), RangeError);
});

Deno.test("stratifiedHoldout takes the fraction of each class", () => {
  const holdout = stratifiedHoldout(LABELS, { fraction: 0.2, seed: 3 });
  const held = LABELS.filter((_, i) => holdout[i]);
  assert.equal(held.filter((y) => y === 1).length, Math.round(26 * 0.2));
  assert.equal(held.filter((y) => y === 0).length, Math.round(77 * 0.2));
  assert.deepEqual(stratifiedHoldout(LABELS, { fraction: 0.2, seed: 3 }), holdout);
});
