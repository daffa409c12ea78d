import { deepEqual, equal, ok } from "node:assert/strict";
import fc from "fast-check";
import type { Features } from "../api/scoring/feature_vector.ts";
import type { FeatureSpec } from "../api/scoring/model_meta.ts";
import {
  buildMultivariateReference,
  createProductionSampler,
  createRowSampler,
  multivariateDrift,
} from "./multivariate.ts";
import { seededRandom } from "./seeded_random.ts";

const SPECS: FeatureSpec[] = [
  { name: "income", type: "numeric", min: 0, max: 1e6, median: 1, missing_rate: 0 },
  { name: "spend", type: "numeric", min: 0, max: 1e6, median: 1, missing_rate: 0 },
  { name: "age", type: "numeric", min: 0, max: 100, median: 40, missing_rate: 0 },
  {
    name: "home",
    type: "categorical",
    levels: ["own", "rent", "other"],
    mode: "own",
    missing_rate: 0,
  },
];

/** income and spend correlated (ρ ≈ 0.6 on the log scale), home tied to age. */
function population(n: number, seed: number): Features[] {
  const rng = seededRandom(seed);
  const normal = () =>
    Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return Array.from({ length: n }, () => {
    const a = normal();
    const b = 0.6 * a + 0.8 * normal();
    const age = Math.round(40 + 10 * normal());
    const home = age + 5 * normal() > 42 ? "own" : rng.next() < 0.8 ? "rent" : "other";
    return {
      income: Math.round(Math.exp(7 + 0.5 * a)),
      spend: Math.round(Math.exp(5 + 0.4 * b) * 10) / 10,
      age,
      home,
    };
  });
}

const reference = buildMultivariateReference(SPECS, population(3000, 1));
const sampleOf = (rows: Features[]) => {
  const s = createProductionSampler(reference);
  rows.forEach((r) => s.offer(r));
  return s.rows();
};

Deno.test("columns: numeric features, then frequent levels as indicators", () => {
  deepEqual(reference.columns.map((c) => c.label).slice(0, 3), ["income", "spend", "age"]);
  ok(reference.columns.some((c) => c.label === "home=own"));
  equal(reference.rows.length, reference.n * reference.columns.length);
});

Deno.test("clean traffic from the same population stays low", () => {
  for (const seed of [2, 3, 4]) {
    const m = multivariateDrift(reference, sampleOf(population(2000, seed)));
    equal(m.verdict, "low", JSON.stringify(m));
    ok(m.auc! < m.noise_floor!.threshold);
  }
});

Deno.test("a broken join (spend paired with another row's) is detected and attributed", () => {
  const rows = population(2000, 5);
  const donors = population(2000, 6);
  const broken = rows.map((r, i) => ({ ...r, spend: donors[i].spend }));
  const m = multivariateDrift(reference, sampleOf(broken));
  ok(m.verdict !== "low" && m.verdict !== "insufficient_data", JSON.stringify(m));
  ok(m.significant && m.auc! >= m.min_auc);
  deepEqual(m.drivers.slice(0, 2).map((d) => d.feature).sort(), ["income", "spend"]);
  deepEqual([m.top_pairs[0].a, m.top_pairs[0].b].sort(), ["income", "spend"]);
  ok(m.top_pairs[0].corr_ref > 0.4 && Math.abs(m.top_pairs[0].corr_prod) < 0.15);
});

Deno.test("a change of one feature's scale alone is not multivariate drift", () => {
  const rows = population(2000, 7).map((r) => ({ ...r, income: (r.income as number) * 100 }));
  equal(multivariateDrift(reference, sampleOf(rows)).verdict, "low");
});

Deno.test("too few distinct rows: insufficient_data, nothing computed", () => {
  const one = population(1, 8)[0];
  const m = multivariateDrift(reference, sampleOf(Array.from({ length: 1000 }, () => one)));
  equal(m.verdict, "insufficient_data");
  equal(m.auc, null);
  equal(m.n_production, 1);
});

Deno.test("the sampler keeps min(n, capacity) distinct offered items, reproducibly", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 200 }), (n, cap) => {
      const a = createRowSampler<number>(cap, 3);
      const b = createRowSampler<number>(cap, 3);
      for (let i = 0; i < n; i++) {
        a.offer(i);
        b.offer(i);
      }
      const rows = a.rows();
      equal(rows.length, Math.min(n, cap));
      equal(new Set(rows).size, rows.length);
      ok(rows.every((v) => v >= 0 && v < n));
      deepEqual(rows, b.rows());
      equal(a.seen, n);
    }),
    { numRuns: 60 },
  );
});

Deno.test("the sample is uniform over the stream (each half gets about half)", () => {
  const s = createRowSampler<number>(2000, 9);
  for (let i = 0; i < 200_000; i++) s.offer(i);
  const late = s.rows().filter((v) => v >= 100_000).length;
  // Binomial(2000, 0.5): sd ≈ 22; 5 sd either side.
  ok(Math.abs(late - 1000) < 110, `${late} of 2000 from the second half`);
});
