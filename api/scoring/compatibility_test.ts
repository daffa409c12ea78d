import assert from "node:assert/strict";
import fc from "fast-check";
import { featureDifferences } from "./compatibility.ts";
import type { FeatureSpec } from "./model_meta.ts";
import { FIXTURE_FEATURES } from "../testing/fixture_model.ts";

const byName = (name: string) => FIXTURE_FEATURES.find((f) => f.name === name)!;

Deno.test("the same features in another order, with other ranges, are compatible", () => {
  const shuffled = [...FIXTURE_FEATURES].reverse().map((f) =>
    f.type === "numeric" ? { ...f, min: f.min - 1, median: f.median + 1 } : f
  );
  assert.deepEqual(featureDifferences(FIXTURE_FEATURES, shuffled), []);
});

Deno.test("every difference is named: missing, extra, type, levels", () => {
  const home = byName("Home") as Extract<FeatureSpec, { type: "categorical" }>;
  const candidate: FeatureSpec[] = [
    ...FIXTURE_FEATURES.filter((f) => !["Seniority", "Age", "Home"].includes(f.name)),
    { ...byName("Age"), type: "categorical", levels: ["young", "old"], mode: "young" },
    { ...home, levels: [...home.levels.filter((l) => l !== "rent"), "boat"] },
    { name: "Region", type: "numeric", min: 0, max: 1, median: 0, missing_rate: 0 },
  ] as FeatureSpec[];
  assert.deepEqual(featureDifferences(FIXTURE_FEATURES, candidate), [
    "Seniority: sent by the champion's callers, not read by this version",
    "Home: levels differ; unknown to this version: rent; never sent by the champion's callers: boat",
    "Age: numeric for the champion, categorical for this version",
    "Region: read by this version, never sent by the champion's callers",
  ]);
});

Deno.test("compatibility is symmetric: a difference one way is a difference the other way", () => {
  const names = FIXTURE_FEATURES.map((f) => f.name);
  fc.assert(fc.property(
    fc.subarray(names, { minLength: 1 }),
    fc.subarray(names, { minLength: 1 }),
    (a, b) => {
      const pick = (ns: string[]) => ns.map(byName);
      const forth = featureDifferences(pick(a), pick(b)).length === 0;
      const back = featureDifferences(pick(b), pick(a)).length === 0;
      assert.equal(forth, back);
      assert.equal(forth, new Set(a).size === new Set(b).size && a.every((n) => b.includes(n)));
    },
  ));
});
