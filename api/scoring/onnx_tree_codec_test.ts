import assert from "node:assert/strict";
import { decodeEnsemble, encodeEnsemble, ONNX_IO } from "./onnx_tree_codec.ts";
import { createOnnxScorer } from "./onnx_session.ts";
import { predictLogOdds, sigmoid, type TreeEnsemble } from "./tree_ensemble.ts";

const f = Math.fround;

/** Tree 1 splits x0 < 1.5 (NaN left), tree 2 splits x1 < 2.5 (NaN right), depth 2 on tree 2. */
const model: TreeEnsemble = {
  baseScore: f(-0.5),
  nFeatures: 2,
  trees: [
    {
      feature: [0, -1, -1],
      threshold: [1.5, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      missingLeft: [true, false, false],
      value: [0, f(0.3), f(-0.2)],
      cover: [10, 4, 6],
    },
    {
      feature: [1, 0, -1, -1, -1],
      threshold: [2.5, 3, 0, 0, 0],
      left: [1, 3, -1, -1, -1],
      right: [2, 4, -1, -1, -1],
      missingLeft: [false, false, false, false, false],
      value: [0, 0, f(0.9), f(-0.7), f(0.1)],
      cover: [10, 5, 5, 2, 3],
    },
  ],
};

Deno.test("decodeEnsemble(encodeEnsemble(m)) gives back the same trees", () => {
  assert.deepEqual(decodeEnsemble(encodeEnsemble(model)), model);
});

Deno.test("encoding is deterministic", () => {
  assert.deepEqual(encodeEnsemble(model), encodeEnsemble(model));
});

Deno.test("onnxruntime scores match hand-computed values, missing values included", async () => {
  const scorer = await createOnnxScorer(encodeEnsemble(model), {
    inputName: ONNX_IO.input,
    outputName: ONNX_IO.proba,
    outputColumn: 0,
    nFeatures: 2,
  });
  // Hand-walked: [1, 2] → 0.3 + (-0.7); [2, 3] → -0.2 + 0.9; [NaN, NaN] → 0.3 + 0.9;
  // [5, 1] → -0.2 + 0.1 (x0 = 5 ≥ 3 in tree 2's second split).
  const rows = [[1, 2], [2, 3], [NaN, NaN], [5, 1]];
  const expected = [0.3 - 0.7, -0.2 + 0.9, 0.3 + 0.9, -0.2 + 0.1].map((z) => sigmoid(-0.5 + z));
  const got = await scorer.score(new Float32Array(rows.flat()));
  rows.forEach((row, i) => {
    assert.ok(Math.abs(got[i] - expected[i]) < 1e-6, `row ${i}: ${got[i]} vs ${expected[i]}`);
    assert.ok(
      Math.abs(predictLogOdds(model, row) - (Math.log(expected[i] / (1 - expected[i])))) < 1e-6,
    );
  });
  await scorer.release();
});

Deno.test("decodeEnsemble explains what is wrong with a model it cannot read", () => {
  assert.throws(() => decodeEnsemble(new Uint8Array([8, 1])), /no TreeEnsembleRegressor/);
});
