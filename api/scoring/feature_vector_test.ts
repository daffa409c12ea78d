import assert from "node:assert/strict";
import fc from "fast-check";
import { columnLevels, createColumnEncoder, encodeRows, type Features } from "./feature_vector.ts";
import type { ColumnSpec, FeatureSpec } from "./model_meta.ts";

const age: FeatureSpec = {
  name: "Age",
  type: "numeric",
  min: 18,
  max: 70,
  median: 36,
  missing_rate: 0,
};
const home: FeatureSpec = {
  name: "Home",
  type: "categorical",
  levels: ["owner", "rent", "other", "parents"],
  mode: "owner",
  missing_rate: 0,
};
const grade: FeatureSpec = {
  name: "grade",
  type: "categorical",
  levels: ["A", "B", "C"],
  mode: "B",
  missing_rate: 0,
};

const show = (m: Float32Array) => [...m].map((v) => (Number.isNaN(v) ? "NaN" : v));

Deno.test("numeric columns pass numbers through as float32; missing is NaN", () => {
  const enc = createColumnEncoder({ features: [age], columns: [{ name: "Age" }] });
  assert.deepEqual(show(enc.encode([{ Age: 42.5 }, { Age: null }, {}, { Age: 0.1 }])), [
    42.5,
    "NaN",
    "NaN",
    Math.fround(0.1),
  ]);
});

Deno.test("one-hot columns: 1 for the level, 0 elsewhere, every column 0 when missing", () => {
  const columns: ColumnSpec[] = [
    { name: "Home", level: "owner" },
    { name: "Home", level: "rent" },
    { name: "Home", level: "other" },
  ];
  const enc = createColumnEncoder({ features: [home], columns });
  assert.deepEqual(show(enc.encode([{ Home: "rent" }, { Home: null }, { Home: "parents" }])), [
    ...[0, 1, 0],
    ...[0, 0, 0], // missing, as pandas.get_dummies
    ...[0, 0, 0], // a level with no column: reindex(columns, fill_value=0)
  ]);
});

Deno.test("ordinal columns: the level's code; missing and uncoded levels are NaN", () => {
  const enc = createColumnEncoder({
    features: [grade],
    columns: [{ name: "grade", codes: { A: 0, B: 1 } }],
  });
  assert.deepEqual(show(enc.encode([{ grade: "B" }, { grade: null }, { grade: "C" }])), [
    1,
    "NaN",
    "NaN",
  ]);
});

Deno.test("columns interleave features in any order; featureOfColumn maps them back", () => {
  const columns: ColumnSpec[] = [
    { name: "Home", level: "rent" },
    { name: "Age" },
    { name: "grade", codes: { A: 3, B: 2, C: 1 } },
    { name: "Home", level: "owner" },
  ];
  const enc = createColumnEncoder({ features: [age, home, grade], columns });
  assert.equal(enc.width, 4);
  assert.deepEqual([...enc.featureOfColumn], [1, 0, 2, 1]);
  assert.deepEqual(show(enc.encode([{ grade: "C", Home: "owner", Age: 30 }])), [0, 30, 1, 1]);
});

Deno.test("wrong value types throw instead of encoding garbage", () => {
  const enc = createColumnEncoder({
    features: [age, home],
    columns: [{ name: "Age" }, { name: "Home", level: "rent" }],
  });
  assert.throws(() => enc.encode([{ Age: "42", Home: "rent" }]), TypeError);
  assert.throws(() => enc.encode([{ Age: 1, Home: 3 }]), TypeError);
});

Deno.test("an inconsistent encoding is refused with every problem named", () => {
  assert.throws(
    () =>
      createColumnEncoder({
        features: [age, home],
        columns: [
          { name: "Age", level: "x" },
          { name: "Home", level: "castle" },
          { name: "Income" },
          { name: "Home", level: "castle" },
        ],
      }),
    (err: Error) => {
      assert.match(err.message, /column 0 \(Age=x\) is one_hot but feature Age is numeric/);
      assert.match(err.message, /levels the feature lacks: castle/);
      assert.match(err.message, /column 2 \(Income\) names no feature/);
      assert.match(err.message, /column 3 \(Home=castle\) repeats/);
      return true;
    },
  );
  assert.throws(
    () => createColumnEncoder({ features: [age, home], columns: [{ name: "Age" }] }),
    /feature Home has no column/,
  );
});

Deno.test("encodeRows with feature specs only: one ordinal column per feature (models trained here)", () => {
  const m = encodeRows([age, home], [{ Home: "other", Age: 30 }, { Age: null, Home: "owner" }]);
  assert.deepEqual(show(m), [30, 2, "NaN", 0]);
});

/** Arbitrary categorical features with one-hot or ordinal columns, and rows of them. */
const encodedModel = fc.array(
  fc.record({
    levels: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), {
      minLength: 1,
      maxLength: 6,
    }),
    oneHot: fc.boolean(),
  }),
  { minLength: 1, maxLength: 5 },
).chain((specs) => {
  const features: FeatureSpec[] = specs.map((s, i) => ({
    name: `f${i}`,
    type: "categorical",
    levels: s.levels,
    mode: s.levels[0],
    missing_rate: 0,
  }));
  const columns: ColumnSpec[] = specs.flatMap((s, i): ColumnSpec[] =>
    s.oneHot
      ? s.levels.map((level) => ({ name: `f${i}`, level }))
      : [{ name: `f${i}`, codes: Object.fromEntries(s.levels.map((l, k) => [l, k])) }]
  );
  const row = fc.record(
    Object.fromEntries(
      features.map((f) => [
        f.name,
        fc.option(fc.constantFrom(...(f.type === "categorical" ? f.levels : [""])), {
          nil: null,
        }),
      ]),
    ),
  ) as fc.Arbitrary<Features>;
  return fc.tuple(
    fc.constant({ features, columns }),
    fc.shuffledSubarray(columns, { minLength: columns.length }),
    fc.array(row, { minLength: 1, maxLength: 5 }),
  );
});

Deno.test("property: every encoded row decodes back to its levels, in any column order", () => {
  fc.assert(
    fc.property(encodedModel, ([{ features }, columns, rows]) => {
      const enc = createColumnEncoder({ features, columns });
      const m = enc.encode(rows);
      assert.equal(m.length, rows.length * columns.length);
      rows.forEach((row, r) => {
        const x = m.subarray(r * enc.width, (r + 1) * enc.width);
        for (const f of features) {
          // Decode the feature from its columns.
          let decoded: string | null = null;
          columns.forEach((c, j) => {
            if (c.name !== f.name) return;
            if ("level" in c && x[j] === 1) decoded = c.level;
            if ("codes" in c && !Number.isNaN(x[j])) {
              decoded = Object.entries(c.codes).find(([, v]) => v === x[j])![0];
            }
            if ("level" in c) assert.ok(x[j] === 0 || x[j] === 1);
          });
          assert.equal(decoded, row[f.name] ?? null);
          assert.equal(
            columnLevels(columns, f.name).length,
            f.type === "categorical" ? f.levels.length : 0,
          );
        }
      });
    }),
  );
});

Deno.test("property: encoding ignores key order and extra keys", () => {
  fc.assert(
    fc.property(encodedModel, fc.string(), ([{ features }, columns, rows], extra) => {
      const enc = createColumnEncoder({ features, columns });
      const shuffled = rows.map((r) =>
        Object.fromEntries([...Object.entries(r).reverse(), [`_${extra}`, 1]])
      );
      assert.deepEqual(show(enc.encode(shuffled)), show(enc.encode(rows)));
    }),
  );
});
