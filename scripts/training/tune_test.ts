import assert from "node:assert/strict";
import { readCsvFile } from "../../api/scoring/feature_csv.ts";
import { logLoss } from "../../monitoring/classification_metrics.ts";
import { crossFitPredictions, labelsOf } from "./pipeline.ts";
import { smallConfig } from "./small_config.ts";
import { cvCurve, gridCandidates, tune } from "./tune.ts";

const train = await readCsvFile("data/credit_data/train.csv");
const records = train.records.slice(0, 700);
const config = { ...smallConfig({ nTrees: 12, subsample: 0.8 }), earlyStopping: null };
const labels = labelsOf(records, config.target);

Deno.test("the CV curve at t trees is the out-of-fold log loss of t-tree models", () => {
  const candidate = {
    maxDepth: config.gbdt.maxDepth,
    learningRate: config.gbdt.learningRate,
    minChildWeight: config.gbdt.minChildWeight,
    subsample: config.gbdt.subsample,
    lambda: config.gbdt.lambda,
  };
  const curve = cvCurve({ records, labels }, config, candidate, { maxTrees: 12 });
  assert.equal(curve.length, 12);
  for (const t of [1, 5, 12]) {
    const oof = crossFitPredictions({ records, labels }, {
      ...config,
      gbdt: { ...config.gbdt, nTrees: t },
    });
    const loss = logLoss({ labels, scores: oof });
    assert.ok(Math.abs(curve[t - 1] - loss) < 1e-9, `${t} trees: ${curve[t - 1]} vs ${loss}`);
  }
});

Deno.test("tune: every grid combination, the lowest CV log loss wins with its tree count", () => {
  const grid = {
    maxDepth: [1, 2],
    learningRate: [0.3],
    minChildWeight: [1, 5],
    subsample: [1],
    lambda: [1],
    maxTrees: 8,
  };
  assert.equal(gridCandidates(grid).length, 4);
  assert.deepEqual(gridCandidates(grid)[1], {
    maxDepth: 1,
    learningRate: 0.3,
    minChildWeight: 5,
    subsample: 1,
    lambda: 1,
  });
  const result = tune({ records, labels }, { ...config, tune: grid });
  assert.equal(result.results.length, 4);
  const best = result.results.reduce((a, b) => (b.cvLogLoss < a.cvLogLoss ? b : a));
  assert.deepEqual(result.best, best);
  assert.equal(result.config.gbdt.nTrees, best.bestTrees);
  assert.equal(result.config.gbdt.maxDepth, best.candidate.maxDepth);
  assert.equal(result.config.earlyStopping, null);
  assert.match(
    result.config.tuning,
    /^chosen by `deno task train --tune`: 2-fold CV .* 4 candidates/,
  );
});
