import assert from "node:assert/strict";
import { deriveFeatureSpecs, levelsIn, median, mode, orderLevels } from "./feature_specs.ts";
import type { FeatureConfig } from "./train_config.ts";

Deno.test("orderLevels sorts by smoothed default rate, missing is not a level", () => {
  // a: 1/2 bad, b: 0/2, c: 2/2, null: 1/1 → prior 4/7
  const values = ["a", "a", "b", "b", "c", "c", null];
  const labels = [1, 0, 0, 0, 1, 1, 1];
  const prior = 4 / 7;
  const ordered = orderLevels(values, labels, { priorWeight: 1 });
  assert.deepEqual(ordered.map((l) => l.level), ["b", "a", "c"]);
  assert.equal(ordered[0].rate, (0 + prior) / 3);
  assert.equal(ordered[1].rate, (1 + prior) / 3);
  assert.equal(ordered[2].rate, (2 + prior) / 3);
  assert.deepEqual(ordered.map((l) => l.rows), [2, 2, 2]);
});

Deno.test("orderLevels: smoothing pulls a rare level towards the overall rate", () => {
  // "rare": 1 row, bad → raw rate 1, but with m = 10 it sits below "common" (8/10 bad).
  const values = ["rare", ...new Array(10).fill("common"), ...new Array(10).fill("safe")];
  const labels = [1, ...[1, 1, 1, 1, 1, 1, 1, 1, 0, 0], ...new Array(10).fill(0)];
  assert.deepEqual(orderLevels(values, labels, { priorWeight: 0 }).map((l) => l.level), [
    "safe",
    "common",
    "rare",
  ]);
  assert.deepEqual(orderLevels(values, labels, { priorWeight: 10 }).map((l) => l.level), [
    "safe",
    "rare",
    "common",
  ]);
});

Deno.test("orderLevels places known levels without rows at the overall rate, ties by name", () => {
  const ordered = orderLevels(["x", "y"], [0, 1], { priorWeight: 2, knownLevels: ["w", "z"] });
  assert.deepEqual(ordered.map((l) => l.level), ["x", "w", "z", "y"]);
  assert.equal(ordered[1].rate, 0.5);
  assert.equal(ordered[1].rows, 0);
});

Deno.test("median and mode", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(mode(["b", "a", "b", "a", "c"]), "a"); // tie a/b → first in sort order
  assert.equal(mode(["c", "c", "a"]), "c");
});

const FEATURES: FeatureConfig[] = [
  { name: "Income", type: "numeric", description: "Monthly income.", reason: "Income is low" },
  { name: "Job", type: "categorical", description: "Job type.", reason: "Job type" },
];

Deno.test("deriveFeatureSpecs takes ranges, medians, modes and missing rates", () => {
  const records = [
    { Income: "100", Job: "fixed" },
    { Income: null, Job: "partime" },
    { Income: "300", Job: "fixed" },
    { Income: "50", Job: null },
  ];
  const specs = deriveFeatureSpecs(records, [0, 1, 0, 1], { features: FEATURES, priorWeight: 0 });
  assert.deepEqual(specs, [
    {
      name: "Income",
      type: "numeric",
      description: "Monthly income.",
      min: 50,
      max: 300,
      median: 100,
      missing_rate: 0.25,
      reason: { text: "Income is low" },
    },
    {
      name: "Job",
      type: "categorical",
      description: "Job type.",
      levels: ["fixed", "partime"],
      mode: "fixed",
      missing_rate: 0.25,
      reason: { text: "Job type" },
    },
  ]);
  assert.throws(
    () =>
      deriveFeatureSpecs([{ Income: "1O0", Job: "x" }], [0], {
        features: FEATURES,
        priorWeight: 0,
      }),
    /row 1, column "Income": expected a number/,
  );
  assert.throws(
    () =>
      deriveFeatureSpecs([{ Income: null, Job: "x" }], [0], { features: FEATURES, priorWeight: 0 }),
    /Income has no values/,
  );
});

Deno.test("levelsIn lists each categorical feature's distinct levels, sorted", () => {
  const records = [{ Job: "b" }, { Job: null }, { Job: "a" }, { Job: "b" }];
  assert.deepEqual(levelsIn(records, FEATURES), { Job: ["a", "b"] });
});
