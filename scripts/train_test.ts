/**
 * Checks of the committed model artifacts (written by `deno task train`):
 * the ONNX runtime scores exactly like the in-memory trees, the model at least
 * matches a tuned XGBoost on the same split, and the metadata, model card and
 * reference sample describe that model.
 */
import assert from "node:assert/strict";
import { readCsvFile, tableToFeatures } from "../api/scoring/feature_csv.ts";
import { encodeRows } from "../api/scoring/feature_vector.ts";
import { loadModel } from "../api/scoring/model.ts";
import { MODEL_CARD_FILE } from "../api/scoring/model_meta.ts";
import { decodeEnsemble, encodeEnsemble, ONNX_IO } from "../api/scoring/onnx_tree_codec.ts";
import { createOnnxScorer } from "../api/scoring/onnx_session.ts";
import { predictProba } from "../api/scoring/tree_ensemble.ts";
import { evaluateClassifier } from "../monitoring/classification_metrics.ts";
import { applyBins, fitBins } from "./training/binning.ts";
import { trainGbdt } from "./training/gbdt.ts";
import { bundledConfig } from "./training/small_config.ts";

const ARTIFACTS = "artifacts";
const TRAIN_CONFIG = bundledConfig();

Deno.test("export parity: ONNX scores equal in-memory trees on every test row", async () => {
  const model = await loadModel(ARTIFACTS);
  try {
    const table = await readCsvFile(TRAIN_CONFIG.data.test!);
    const matrix = encodeRows(model.meta, tableToFeatures(table, model.meta.features));
    const onnx = await model.scoreMatrix(matrix);
    const memory = predictProba(decodeEnsemble(model.onnxBytes), matrix);
    assert.equal(onnx.length, 891);
    let worst = 0;
    onnx.forEach((p, i) => (worst = Math.max(worst, Math.abs(p - memory[i]))));
    assert.ok(worst <= 1e-6, `largest difference ${worst}`);

    // The metadata's test metrics are those of the ONNX scores.
    const labels = table.records.map((
      r,
    ) => (r.Status === TRAIN_CONFIG.target.positive_label ? 1 : 0));
    const { meta } = model;
    const m = evaluateClassifier({ labels, scores: onnx }, {
      threshold: meta.threshold,
      costs: meta.cost_matrix,
    });
    assert.ok(Math.abs(m.roc_auc - meta.metrics.test!.roc_auc) < 1e-5);
    assert.ok(Math.abs(m.brier - meta.metrics.test!.brier) < 1e-5);
    assert.equal(m.cost, meta.metrics.test!.cost);
    // The bundled model at least matches a CV-tuned XGBoost on the same split
    // (data/credit_data/README.md: test ROC AUC 0.864, Brier 0.127).
    assert.ok(meta.metrics.test!.roc_auc >= 0.864, `ROC AUC ${meta.metrics.test!.roc_auc}`);
    assert.ok(meta.metrics.test!.brier <= 0.1275, `Brier ${meta.metrics.test!.brier}`);
  } finally {
    await model.release();
  }
});

Deno.test("committed metadata, model card and reference sample belong together", async () => {
  const model = await loadModel(ARTIFACTS);
  await model.release();
  const { meta } = model;
  const card = await Deno.readTextFile(`${ARTIFACTS}/${MODEL_CARD_FILE}`);
  assert.ok(card.includes(meta.model_version));
  assert.equal(model.referencePath, `${ARTIFACTS}/reference_sample.csv`);
  const ref = await readCsvFile(model.referencePath);
  assert.deepEqual(ref.columns, [...meta.features.map((f) => f.name), "Status", "proba_default"]);
  assert.equal(ref.records.length, (meta.dataset as { rows: number }).rows);
  // Every reference row is a valid API request.
  assert.equal(tableToFeatures(ref, meta.features).length, ref.records.length);
});

Deno.test("export parity of learner splits the bundled model may lack (missing-only, -Infinity)", async () => {
  // Column 0: missing ⇔ positive (a "missing vs present" split, threshold −Infinity);
  // column 1: categorical-like codes with a step.
  const rows = Array.from({ length: 200 }, (_, i) => [i % 4 === 0 ? NaN : i, i % 5]);
  const labels = rows.map(([a, b]) => (Number.isNaN(a) || b > 2 ? 1 : 0));
  const matrix = Float32Array.from(rows.flat());
  const columns = fitBins(matrix, { nFeatures: 2, levelCounts: [null, 5], maxBins: 16 });
  const params = {
    nTrees: 10,
    learningRate: 0.5,
    maxDepth: 2,
    lambda: 1,
    gamma: 0,
    minChildWeight: 0,
    subsample: 1,
    seed: 1,
  };
  const { ensemble } = trainGbdt({ binned: applyBins(matrix, columns), labels }, params);
  assert.ok(ensemble.trees.some((t) => t.threshold.includes(-Infinity)));
  const scorer = await createOnnxScorer(encodeEnsemble(ensemble), {
    inputName: ONNX_IO.input,
    outputName: ONNX_IO.proba,
    outputColumn: 0,
    nFeatures: 2,
  });
  try {
    const probe = Float32Array.from([...matrix, -Infinity, 1, Infinity, NaN, -1e30, 4]);
    const onnx = await scorer.score(probe);
    const memory = predictProba(ensemble, probe);
    onnx.forEach((p, i) => assert.ok(Math.abs(p - memory[i]) <= 1e-6, `row ${i}`));
  } finally {
    await scorer.release();
  }
});
