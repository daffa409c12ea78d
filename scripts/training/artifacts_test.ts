import assert from "node:assert/strict";
import { parseCsv } from "../../api/scoring/feature_csv.ts";
import { parseModelMeta } from "../../api/scoring/model_meta.ts";
import { decodeEnsemble } from "../../api/scoring/onnx_tree_codec.ts";
import { buildArtifacts, type TrainingData } from "./artifacts.ts";
import { sha256Hex } from "./model_meta_builder.ts";
import { smallConfig } from "./small_config.ts";

async function readData(): Promise<TrainingData> {
  return {
    train: await Deno.readFile("data/credit_data/train.csv"),
    test: await Deno.readFile("data/credit_data/test.csv"),
  };
}

Deno.test("training twice gives byte-identical artifacts; another seed changes them", async () => {
  const data = await readData();
  const a = buildArtifacts(data, smallConfig());
  const b = buildArtifacts(data, smallConfig());
  assert.deepEqual(b.onnx, a.onnx);
  assert.equal(b.metaJson, a.metaJson);
  assert.equal(b.modelCard, a.modelCard);
  assert.equal(b.referenceSample, a.referenceSample);
  const c = buildArtifacts(data, { ...smallConfig(), seed: 7 });
  assert.notEqual(c.referenceSample, a.referenceSample);
  assert.notEqual(c.meta.model_version, a.meta.model_version);
});

Deno.test("artifacts are consistent with each other and with the data", async () => {
  const data = await readData();
  const config = smallConfig();
  const { meta, onnx, metaJson, modelCard, referenceSample } = buildArtifacts(data, config);
  assert.deepEqual(parseModelMeta(JSON.parse(metaJson), "test").model_version, meta.model_version);
  assert.match(meta.model_version, /^gbdt-[0-9a-f]{12}$/);
  assert.equal(meta.onnx.sha256, sha256Hex(onnx));
  assert.equal(meta.dataset.sha256, sha256Hex(data.train));
  assert.deepEqual(meta.features.map((f) => f.name), config.features.map((f) => f.name));
  assert.ok(meta.features.every((f) => f.reason?.text && f.description));
  assert.ok(meta.threshold > 0 && meta.threshold < 1);
  assert.equal(meta.metrics.test?.n_rows, 891);
  assert.equal(meta.metrics.cv.n_rows, 3563);
  assert.equal(meta.schema_version, 2);
  assert.equal(meta.reasons.method, "tree_shap");
  assert.deepEqual(meta.reference, {
    file: "reference_sample.csv",
    rows: 3563,
    scores: "out_of_fold",
  });
  const training = meta.training as Record<string, unknown>;
  assert.equal(training.n_trees, decodeEnsemble(onnx).trees.length);
  assert.ok(training.categorical_handling);
  assert.ok(modelCard.startsWith(`# Model card: credit default model \`${meta.model_version}\``));
  assert.ok(!modelCard.includes("undefined"));
  assert.ok(modelCard.includes(`**${meta.threshold}**`));

  // Reference sample: every training row, features as the API receives them, the
  // target, OOF scores.
  const ref = parseCsv(referenceSample);
  const train = parseCsv(new TextDecoder().decode(data.train));
  assert.deepEqual(ref.columns, [...meta.features.map((f) => f.name), "Status", "proba_default"]);
  assert.equal(ref.records.length, train.records.length);
  ref.records.forEach((row, i) => {
    for (const f of [...meta.features.map((f) => f.name), "Status"]) {
      assert.equal(row[f], train.records[i][f]);
    }
    const p = Number(row.proba_default);
    assert.ok(p > 0 && p < 1);
  });
  // The cross-validation metrics are those of the reference sample's scores.
  const scores = ref.records.map((r) => Number(r.proba_default));
  const flagged = scores.filter((p) => p >= meta.threshold).length / scores.length;
  assert.ok(Math.abs(flagged - meta.metrics.cv.flagged_rate) < 1e-6);
});
