import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { FIXTURE_FEATURES, fixtureLogOdds, writeFixtureModel } from "../testing/fixture_model.ts";
import { createColumnEncoder, type Features } from "./feature_vector.ts";
import type { FeatureSpec, ModelMeta } from "./model_meta.ts";
import {
  createExplainer,
  type ExplainerSource,
  MAX_REASONS,
  reasonText,
  topReasons,
} from "./reason_codes.ts";

const close = (actual: number, expected: number, tol = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

const spec = (name: string, reason?: string): FeatureSpec => ({
  name,
  type: "numeric",
  min: 0,
  max: 1,
  median: 0.5,
  missing_rate: 0,
  ...(reason === undefined ? {} : { reason: { text: reason } }),
});

const SPECS = ["a", "b", "c", "d", "e", "f"].map((n) => spec(n, `${n} is risky`));

Deno.test("topReasons: positive contributions only, largest first, ties in feature order", () => {
  assert.equal(MAX_REASONS, 4); // the default limit cuts the fifth positive ("b", 0.1)
  const values = [1, 2, null, 4, 5, 6];
  const reasons = topReasons([0.2, 0.1, 0.5, 0, 0.2, 0.9], {
    specs: SPECS,
    valueOf: (j) => values[j],
  });
  assert.deepEqual(reasons, [
    { feature: "f", contribution: 0.9, value: 6, reason: "f is risky" },
    { feature: "c", contribution: 0.5, value: null, reason: "c is risky" },
    { feature: "a", contribution: 0.2, value: 1, reason: "a is risky" },
    { feature: "e", contribution: 0.2, value: 5, reason: "e is risky" },
  ]);
  const ctx = { specs: SPECS, valueOf: () => 0 };
  assert.deepEqual(topReasons([-1, 0, -0.1, -2, 0, -3], ctx), []);
  assert.equal(topReasons([1, 1, 1, 1, 1, 1], ctx, { limit: 2 }).length, 2);
  assert.throws(() => topReasons([1, 2], ctx), RangeError);
});

Deno.test("reasonText falls back to a generic sentence naming the feature", () => {
  assert.equal(reasonText(spec("Debt", "Debt is high")), "Debt is high");
  assert.match(reasonText(spec("Debt")), /^Debt .*risk of default/);
});

Deno.test("property: reasons are the top positive contributions in decreasing order", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 6, maxLength: 6 }),
      fc.integer({ min: 1, max: 6 }),
      (contributions, limit) => {
        const reasons = topReasons(contributions, { specs: SPECS, valueOf: () => null }, { limit });
        const positive = contributions.filter((c) => c > 0).sort((x, y) => y - x);
        assert.deepEqual(reasons.map((r) => r.contribution), positive.slice(0, limit));
        for (const r of reasons) {
          assert.equal(contributions[SPECS.findIndex((s) => s.name === r.feature)], r.contribution);
        }
      },
    ),
  );
});

function sourceOf(meta: ModelMeta, onnxBytes: Uint8Array): ExplainerSource {
  return {
    meta,
    onnxBytes,
    encoder: createColumnEncoder(meta),
    scoreMatrix: () => Promise.reject(new Error("not used")),
    explainerData: {},
  };
}

async function fixtureExplainer() {
  const dir = await Deno.makeTempDir();
  try {
    const meta = await writeFixtureModel(dir);
    const onnxBytes = await Deno.readFile(join(dir, "model.onnx"));
    return { meta, onnxBytes, explainer: createExplainer(sourceOf(meta, onnxBytes)) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Fixture stumps, covers 60 (left) / 40 (right):
//   Records: no → 0, yes → +1;   mean 0.4  → φ(yes) = 0.6,  φ(no) = −0.4
//   Income < 100 or missing → +0.75, else 0; mean 0.45 → φ(low) = 0.3, φ(high) = −0.45
//   Seniority < 3 → +0.5, else 0; mean 0.3 → φ(low) = 0.2,  φ(high) = −0.3
// Base value = −1.5 + 0.4 + 0.45 + 0.3 = −0.35.
const RISKY: Features = { ...defaults(), Records: "yes", Income: null, Seniority: 1 };
const SAFE: Features = { ...defaults(), Records: "no", Income: 500, Seniority: 10 };

function defaults(): Record<string, number | string> {
  return Object.fromEntries(
    FIXTURE_FEATURES.map((f) => [f.name, f.type === "numeric" ? f.median : f.mode]),
  );
}

Deno.test("fixture explainer: reasons, values and texts for a risky applicant", async () => {
  const { explainer } = await fixtureExplainer();
  assert.equal(explainer.method, "tree_shap");
  assert.equal(explainer.units, "log_odds");
  assert.equal(explainer.unavailable, null);
  const [risky, safe] = await explainer.explainRows([RISKY, SAFE]);
  close(risky.base_value, -0.35);
  assert.deepEqual(risky.reasons.map((r) => [r.feature, r.value, r.reason]), [
    ["Records", "yes", "Records level"],
    ["Income", null, "Income value"],
    ["Seniority", 1, "Seniority value"],
  ]);
  risky.reasons.forEach((r, k) => close(r.contribution, [0.6, 0.3, 0.2][k]));
  assert.deepEqual(safe.reasons, []);
  close(safe.contributions.Records, -0.4);
  close(safe.contributions.Income, -0.45);
  close(safe.contributions.Seniority, -0.3);
  assert.equal(safe.contributions.Age, 0);
  for (const [row, e] of [[RISKY, risky], [SAFE, safe]] as const) {
    assert.deepEqual(Object.keys(e.contributions), FIXTURE_FEATURES.map((f) => f.name));
    const sum = Object.values(e.contributions).reduce((s, c) => s + c, e.base_value);
    close(sum, fixtureLogOdds(row));
  }
});

Deno.test("explainer: limit option, and metadata that does not fit the ONNX model", async () => {
  const { meta, onnxBytes } = await fixtureExplainer();
  const [one] = await createExplainer(sourceOf(meta, onnxBytes), { limit: 1 }).explainRows([
    RISKY,
  ]);
  assert.deepEqual(one.reasons.map((r) => r.feature), ["Records"]);
  // Trees reading column 8 (Income) cannot explain an 8-column encoding.
  const short = { ...meta, features: meta.features.slice(0, 8), columns: meta.columns.slice(0, 8) };
  assert.throws(() => createExplainer(sourceOf(short, onnxBytes)), /feature 8 out of range/);
});

Deno.test("a model without reasons says why, and explaining it rejects", async () => {
  const { meta, onnxBytes } = await fixtureExplainer();
  const none = createExplainer(
    sourceOf({ ...meta, reasons: { method: "none", statement: "too slow" } }, onnxBytes),
  );
  assert.equal(none.method, "none");
  assert.equal(none.units, null);
  assert.equal(none.unavailable, "too slow");
  await assert.rejects(none.explainRows([RISKY]), /no reasons: too slow/);
});
