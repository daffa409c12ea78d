import { deepEqual, equal, throws } from "node:assert/strict";
import { MISSING_LABEL, UNSEEN_LABEL } from "./binning.ts";
import { TWO_FEATURES } from "./testing/drift_helpers.ts";
import { buildReferenceProfile } from "./reference_profile.ts";

const rows = [
  { x: 1, c: "a" },
  { x: 2, c: "a" },
  { x: 3, c: "b" },
  { x: null, c: null },
  { x: 4, c: "a" },
];

Deno.test("buildReferenceProfile: quantile bins on present values, counts per bucket", () => {
  const p = buildReferenceProfile({ rows, scores: [0.1, 0.2, 0.3, 0.4, 0.5] }, {
    features: TWO_FEATURES,
    threshold: 0.3,
    bins: 2,
    modelVersion: "v7",
  });
  const [x, c] = p.features;
  // Present x = 1, 2, 3, 4; with 2 bins the cut is sorted[ceil(1·4/2) − 1] = sorted[1] = 2.
  deepEqual(x.binning.labels, ["≤ 2", "> 2", MISSING_LABEL]);
  deepEqual(x.counts, [2, 2, 1]);
  deepEqual(c.binning.labels, ["a", "b", "c", UNSEEN_LABEL, MISSING_LABEL]);
  deepEqual(c.counts, [3, 1, 0, 0, 1]);
  equal(p.nReference, 5);
  equal(p.bins, 2);
  equal(p.modelVersion, "v7");
});

Deno.test("buildReferenceProfile: score bins: midpoint cuts, no missing bucket; threshold ties reject", () => {
  const p = buildReferenceProfile({ rows, scores: [0.1, 0.2, 0.3, 0.4, 0.5] }, {
    features: TWO_FEATURES,
    threshold: 0.3,
    bins: 5,
  });
  // Midpoint cuts (scores are stored rounded in the reference).
  deepEqual(p.score.binning.labels, [
    "≤ 0.15",
    "(0.15, 0.25]",
    "(0.25, 0.35]",
    "(0.35, 0.45]",
    "> 0.45",
  ]);
  deepEqual(p.score.counts, [1, 1, 1, 1, 1]);
  equal(p.score.rejects, 3); // 0.3, 0.4, 0.5 reach the threshold
  equal(p.score.total, 5);
  equal(p.score.threshold, 0.3);
});

Deno.test("buildReferenceProfile refuses mismatched, empty or unscorable samples", () => {
  const opts = { features: TWO_FEATURES, threshold: 0.5 };
  throws(() => buildReferenceProfile({ rows, scores: [0.1] }, opts), /5 rows but 1 scores/);
  throws(() => buildReferenceProfile({ rows: [], scores: [] }, opts), /empty/);
  throws(
    () => buildReferenceProfile({ rows: rows.slice(0, 1), scores: [NaN] }, opts),
    /not a number/,
  );
});
