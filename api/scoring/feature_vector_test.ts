import assert from "node:assert/strict";
import { decodeValue, encodeRows, encodeValue } from "./feature_vector.ts";
import type { FeatureSpec } from "./model_meta.ts";

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
  encoding: "ordinal",
  levels: ["owner", "rent", "other"],
  mode: "owner",
  missing_rate: 0,
};

Deno.test("numbers pass through; categorical levels become their index", () => {
  assert.equal(encodeValue(age, 42.5), 42.5);
  assert.equal(encodeValue(home, "owner"), 0);
  assert.equal(encodeValue(home, "other"), 2);
});

Deno.test("null and absent values become NaN", () => {
  assert.ok(Number.isNaN(encodeValue(age, null)));
  assert.ok(Number.isNaN(encodeValue(home, undefined)));
});

Deno.test("unknown levels and wrong types throw instead of encoding garbage", () => {
  assert.throws(() => encodeValue(home, "castle"), RangeError);
  assert.throws(() => encodeValue(age, "42"), TypeError);
});

Deno.test("encodeRows writes a row-major matrix in spec order, whatever the key order", () => {
  const m = encodeRows([age, home], [{ Home: "rent", Age: 30 }, { Age: null, Home: "owner" }]);
  assert.deepEqual([...m].map((v) => Number.isNaN(v) ? "NaN" : v), [30, 1, "NaN", 0]);
});

Deno.test("decodeValue inverts encodeValue", () => {
  for (const level of home.levels) assert.equal(decodeValue(home, encodeValue(home, level)), level);
  assert.equal(decodeValue(age, 12), 12);
  assert.equal(decodeValue(home, NaN), null);
});
