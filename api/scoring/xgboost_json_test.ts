import assert from "node:assert/strict";
import { readCsvFile, tableToFeatures } from "./feature_csv.ts";
import { createColumnEncoder } from "./feature_vector.ts";
import type { ColumnSpec, FeatureSpec } from "./model_meta.ts";
import { createOnnxScorer } from "./onnx_session.ts";
import { decodeEnsemble, encodeEnsemble, ONNX_IO } from "./onnx_tree_codec.ts";
import { predictProba } from "./tree_ensemble.ts";
import { convertXgboostJson, logisticBaseMargin, XgboostRefusal } from "./xgboost_json.ts";

const FIXTURES = new URL("./testdata/models/", import.meta.url).pathname;

/** A fixture's model JSON, encoded sample matrix and XGBoost's own predictions. */
async function fixture(name: string) {
  const dir = `${FIXTURES}${name}/`;
  const json = JSON.parse(await Deno.readTextFile(`${dir}model.json`));
  const expected = JSON.parse(await Deno.readTextFile(`${dir}expected.json`));
  const table = await readCsvFile(`${dir}sample.csv`);
  const target = expected.target.column as string;
  const columns: ColumnSpec[] = expected.columns_file
    ? JSON.parse(await Deno.readTextFile(`${dir}${expected.columns_file}`))
    : table.columns.filter((c) => c !== target).map((name) => ({ name }));
  // Every level the sample or the columns name, so any row encodes.
  const features: FeatureSpec[] = [...new Set(columns.map((c) => c.name))].map((name) => {
    const own = columns.filter((c) => c.name === name);
    if (own.length === 1 && !("level" in own[0]) && !("codes" in own[0])) {
      return { name, type: "numeric", min: 0, max: 0, median: 0, missing_rate: 0 };
    }
    const levels = new Set<string>();
    for (const c of own) {
      if ("level" in c) levels.add(c.level);
      if ("codes" in c) Object.keys(c.codes).forEach((l) => levels.add(l));
    }
    for (const r of table.records) if (r[name] !== null) levels.add(r[name]!);
    return { name, type: "categorical", levels: [...levels], mode: "", missing_rate: 0 };
  });
  const matrix = createColumnEncoder({ features, columns }).encode(
    tableToFeatures(table, features),
  );
  return { json, expected, matrix, width: columns.length };
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

for (const name of ["xgboost_json", "xgboost_json_base_score", "second_model"]) {
  Deno.test(`${name}: converted trees and their ONNX export equal XGBoost's predict_proba`, async () => {
    const { json, expected, matrix, width } = await fixture(name);
    const { ensemble, facts } = convertXgboostJson(json);
    assert.equal(ensemble.nFeatures, width);
    assert.equal(facts.trees, expected.xgboost.trees);
    assert.equal(facts.base_score, expected.xgboost.base_score);
    assert.equal(facts.base_score_text, expected.xgboost.base_score_text);
    // The tree walk in float32, and the served ONNX model, against XGBoost itself.
    const want = expected.probabilities as number[];
    assert.equal(want.length, matrix.length / width);
    const walked = predictProba(ensemble, matrix);
    assert.ok(maxAbs(walked, want) <= 1e-5, `walk: ${maxAbs(walked, want)}`);
    const bytes = encodeEnsemble(ensemble);
    const scorer = await createOnnxScorer(bytes, {
      inputName: ONNX_IO.input,
      outputName: ONNX_IO.proba,
      outputColumn: 0,
      nFeatures: width,
    });
    try {
      const served = await scorer.score(matrix);
      assert.ok(maxAbs(served, want) <= 1e-5, `served: ${maxAbs(served, want)}`);
    } finally {
      await scorer.release();
    }
    // Covers (sum_hessian) travel in the ONNX file for TreeSHAP.
    const back = decodeEnsemble(bytes);
    assert.equal(
      back.trees[0].cover[0],
      Math.fround(json.learner.gradient_booster.model.trees[0].sum_hessian[0]),
    );
  });
}

Deno.test("base_score: the margin starts at its logit, in float32", async () => {
  const { json } = await fixture("xgboost_json_base_score");
  const { facts, ensemble } = convertXgboostJson(json);
  assert.equal(facts.base_score, 0.3);
  assert.equal(ensemble.baseScore, logisticBaseMargin(0.3));
  assert.ok(Math.abs(ensemble.baseScore - Math.log(0.3 / 0.7)) < 1e-6);
  assert.ok(logisticBaseMargin(0.5) === 0); // -0, as in XGBoost
  // XGBoost 2.x writes base_score as a one-element list.
  const v2 = structuredClone(json);
  v2.learner.learner_model_param.base_score = "[3E-1]";
  assert.equal(convertXgboostJson(v2).facts.base_score, 0.3);
});

Deno.test("DART boosters scale each tree by its weight_drop", async () => {
  const { json, matrix } = await fixture("xgboost_json_base_score");
  const dart = structuredClone(json);
  const gb = dart.learner.gradient_booster;
  const weights = gb.model.trees.map((_: unknown, i: number) => (i % 2 ? 0.5 : 1));
  dart.learner.gradient_booster = {
    name: "dart",
    gbtree: { model: gb.model },
    weight_drop: weights,
  };
  const plain = convertXgboostJson(json).ensemble;
  const scaled = convertXgboostJson(dart).ensemble;
  assert.equal(
    scaled.trees[1].value.find((v) => v !== 0),
    plain.trees[1].value.find((v) => v !== 0)! / 2,
  );
  assert.notDeepEqual(
    predictProba(scaled, matrix.slice(0, 90)),
    predictProba(plain, matrix.slice(0, 90)),
  );
});

Deno.test("models that do not answer a binary probability are refused, saying what they are", async () => {
  const { json } = await fixture("xgboost_json_base_score");
  const variant = (edit: (j: typeof json) => void) => {
    const j = structuredClone(json);
    edit(j);
    return j;
  };
  const refusals: [unknown, RegExp][] = [
    [variant((j) => (j.learner.objective.name = "binary:logitraw")), /binary:logitraw.*margin/],
    [
      variant((j) => (j.learner.objective.name = "multi:softprob")),
      /multi:softprob.*several classes/,
    ],
    [variant((j) => (j.learner.objective.name = "reg:squarederror")), /reg:squarederror/],
    [
      variant((j) => (j.learner.learner_model_param.num_class = "3")),
      /multiclass model \(num_class 3\)/,
    ],
    [variant((j) => (j.learner.gradient_booster.name = "gblinear")), /booster gblinear/],
    [
      variant((j) => (j.learner.gradient_booster.model.trees[2].split_type[0] = 1)),
      /tree 2 has categorical splits/,
    ],
    [variant((j) => (j.learner.learner_model_param.base_score = "1.5")), /not a probability/],
  ];
  for (const [model, message] of refusals) {
    assert.throws(() => convertXgboostJson(model), (err: Error) => {
      assert.ok(err instanceof XgboostRefusal, `${err.name}: ${err.message}`);
      assert.match(err.message, message);
      return true;
    });
  }
  assert.throws(() => convertXgboostJson({ some: "json" }), /not an XGBoost JSON model/);
});
