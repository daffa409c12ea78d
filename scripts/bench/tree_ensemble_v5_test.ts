import { strict as assert } from "node:assert";
import fc from "fast-check";
import { FIXTURE_ENSEMBLE } from "../../api/testing/fixture_model.ts";
import { createOnnxScorer } from "../../api/scoring/onnx_session.ts";
import { ONNX_IO } from "../../api/scoring/onnx_tree_codec.ts";
import { predictProba } from "../../api/scoring/tree_ensemble.ts";
import { encodeEnsembleV5, toFloat16Bits, truncateEnsemble } from "./tree_ensemble_v5.ts";

Deno.test("truncateEnsemble keeps the first k trees and the base score", () => {
  const cut = truncateEnsemble(FIXTURE_ENSEMBLE, 1);
  assert.equal(cut.trees.length, 1);
  assert.equal(cut.trees[0], FIXTURE_ENSEMBLE.trees[0]);
  assert.equal(cut.baseScore, FIXTURE_ENSEMBLE.baseScore);
  assert.equal(
    truncateEnsemble(FIXTURE_ENSEMBLE, 1000).trees.length,
    FIXTURE_ENSEMBLE.trees.length,
  );
  assert.throws(() => truncateEnsemble(FIXTURE_ENSEMBLE, 0), RangeError);
});

Deno.test("toFloat16Bits: exact halves, rounding to nearest", () => {
  // 1 = 0x3c00, -2 = 0xc000, 0.5 = 0x3800, 65504 (largest half) = 0x7bff
  assert.deepEqual([...toFloat16Bits([1, -2, 0.5, 65504])], [0x3c00, 0xc000, 0x3800, 0x7bff]);
  // 1 + 2^-11 is halfway between 1 and the next half: ties to even → 1
  assert.deepEqual([...toFloat16Bits([1 + 2 ** -11])], [0x3c00]);
});

Deno.test("a float32 TreeEnsemble (ml opset 5) model scores like the tree walk in onnxruntime", async () => {
  const width = FIXTURE_ENSEMBLE.nFeatures;
  const scorer = await createOnnxScorer(encodeEnsembleV5(FIXTURE_ENSEMBLE, "float32"), {
    inputName: ONNX_IO.input,
    outputName: ONNX_IO.proba,
    outputColumn: 0,
    nFeatures: width,
  });
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(fc.float({ min: -100, max: 100, noNaN: true }), fc.constant(NaN)),
          { minLength: width, maxLength: width * 8 },
        ),
        async (values) => {
          const rows = Math.floor(values.length / width);
          const matrix = Float32Array.from(values.slice(0, rows * width));
          const got = await scorer.score(matrix);
          const want = predictProba(FIXTURE_ENSEMBLE, matrix);
          for (let i = 0; i < rows; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-6);
        },
      ),
      { numRuns: 50 },
    );
  } finally {
    await scorer.release();
  }
});
