import assert from "node:assert/strict";
import { readCsvFile } from "../../api/scoring/feature_csv.ts";
import { rocAuc } from "../../monitoring/classification_metrics.ts";
import {
  crossFitPredictions,
  encodeRecords,
  fitModel,
  labelsOf,
  predictRecords,
  type Progress,
} from "./pipeline.ts";
import { smallConfig } from "./small_config.ts";
import type { TrainConfig } from "./train_config.ts";

const TARGET = smallConfig().target;

Deno.test("labelsOf maps the positive label to 1 and refuses other labels", () => {
  assert.deepEqual([...labelsOf([{ Status: "bad" }, { Status: "good" }], TARGET)], [1, 0]);
  assert.throws(
    () => labelsOf([{ Status: "good" }, { Status: null }], TARGET),
    /row 2, column "Status"/,
  );
});

/**
 * One categorical feature with a level per row: ordered by default rate, a
 * single split separates a model's own training rows perfectly, while levels
 * it never saw carry no information.
 */
function memorisable(): { config: TrainConfig; records: { id: string }[]; labels: Uint8Array } {
  const n = 200;
  const records = Array.from({ length: n }, (_, i) => ({ id: `row${i}` }));
  const labels = Uint8Array.from(records, (_, i) => (((i * 7919) % 13) < 4 ? 1 : 0));
  const config: TrainConfig = {
    ...smallConfig({ nTrees: 1, maxDepth: 1, minChildWeight: 0, subsample: 1 }),
    features: [{ name: "id", type: "categorical", description: "row id", reason: "id" }],
    levelPriorWeight: 1,
  };
  return { config, records, labels };
}

Deno.test("out-of-fold scores come from models (and level orders) that did not see the row", () => {
  const { config, records, labels } = memorisable();
  const inSample = predictRecords(fitModel({ records, labels }, config), records);
  assert.equal(rocAuc({ labels, scores: inSample }), 1, "the model memorises its training rows");
  const oof = crossFitPredictions({ records, labels }, config);
  const auc = rocAuc({ labels, scores: oof });
  assert.ok(auc > 0.35 && auc < 0.65, `out-of-fold AUC ${auc} shows no memorisation`);
});

Deno.test("fitModel on the credit data: level order, progress, refit size", async () => {
  const train = await readCsvFile("data/credit_data/train.csv");
  const labels = labelsOf(train.records, TARGET);
  const config = smallConfig();
  config.earlyStopping = { validationFraction: 0.2, rounds: 5, refit: true };
  const phases = new Set<string>();
  let last: Progress | undefined;
  const model = fitModel({ records: train.records, labels }, config, {
    onProgress: (p) => {
      phases.add(p.phase);
      last = p;
    },
  });
  assert.deepEqual([...phases], ["early stopping", "refit on all rows"]);
  assert.equal(last?.trees, model.ensemble.trees.length);
  assert.equal(model.ensemble.trees.length, model.earlyStopping?.trees);
  assert.equal(model.ensemble.nFeatures, config.features.length);
  const records = model.specs.find((s) => s.name === "Records");
  assert.deepEqual(records?.type === "categorical" && records.levels, ["no", "yes"]);
  const scores = predictRecords(model, train.records);
  assert.ok(rocAuc({ labels, scores }) > 0.8);
  const matrix = encodeRecords(train.records.slice(0, 1), model.specs);
  assert.equal(matrix.length, config.features.length);
});

Deno.test("fitModel without refit keeps the early-stopped model", async () => {
  const train = await readCsvFile("data/credit_data/train.csv");
  const labels = labelsOf(train.records, TARGET);
  const config = smallConfig();
  config.earlyStopping = { validationFraction: 0.2, rounds: 5, refit: false };
  const phases = new Set<string>();
  fitModel({ records: train.records.slice(0, 800), labels: labels.slice(0, 800) }, config, {
    onProgress: (p) => phases.add(p.phase),
  });
  assert.deepEqual([...phases], ["early stopping"]);
});
