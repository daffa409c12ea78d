/**
 * Every model shape the common exporters write, imported from the committed
 * fixtures (`api/scoring/testdata/models/`, made by `scripts/fixtures/`):
 * served scores equal the reference (native onnxruntime, or XGBoost's own
 * predictions) on every sample row, the explainer is the expected one and is
 * additive, reasons name raw features; the refusal fixtures are refused with
 * what was found.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readCsvFile, tableToFeatures } from "../../api/scoring/feature_csv.ts";
import { linearLogOdds } from "../../api/scoring/linear_explainer.ts";
import { loadModel } from "../../api/scoring/model.ts";
import { inspectOnnx } from "../../api/scoring/onnx_graph.ts";
import { toUnits } from "../../api/scoring/sampling_shapley.ts";
import { explainedTrees } from "../../api/scoring/tree_explainer.ts";
import { predictLogOdds, sigmoid } from "../../api/scoring/tree_ensemble.ts";
import {
  featureNameMismatches,
  importModel,
  type ImportOptions,
  ImportRefusal,
} from "./run_import.ts";

const FIXTURES = new URL("../../api/scoring/testdata/models/", import.meta.url).pathname;

interface Shape {
  name: string;
  kind: "onnx" | "xgboost";
  method: "tree_shap" | "linear" | "sampling";
  /** The probability tensor had to become a graph output (ZipMap). */
  rewritten?: boolean;
}

const SHAPES: Shape[] = [
  { name: "lgbm_zipmap", kind: "onnx", method: "tree_shap", rewritten: true },
  { name: "lgbm_nozipmap", kind: "onnx", method: "tree_shap" },
  { name: "xgb_regressor_sigmoid", kind: "onnx", method: "tree_shap" },
  { name: "sklearn_pipeline", kind: "onnx", method: "linear", rewritten: true },
  { name: "sklearn_pipeline_normalizer", kind: "onnx", method: "sampling", rewritten: true },
  { name: "torch_mlp", kind: "onnx", method: "sampling" },
  { name: "xgboost_json", kind: "xgboost", method: "tree_shap" },
  { name: "xgboost_json_base_score", kind: "xgboost", method: "tree_shap" },
  { name: "second_model", kind: "xgboost", method: "tree_shap" },
];

async function expectedOf(name: string) {
  return JSON.parse(await Deno.readTextFile(`${FIXTURES}${name}/expected.json`));
}

/** The import options for a fixture, as its expected.json describes it. */
async function optionsFor(name: string, out: string): Promise<ImportOptions> {
  const e = await expectedOf(name);
  const dir = `${FIXTURES}${name}/`;
  return {
    out,
    source: {
      kind: e.format === "xgboost_json" ? "xgboost" : "onnx",
      path: dir + e.model_file,
    },
    data: dir + e.sample_file,
    target: e.target.column,
    positive: e.target.positive,
    columns: e.columns_file ? dir + e.columns_file : undefined,
    reasons: e.reasons_file ? dir + e.reasons_file : undefined,
    native: { unavailable: "the reference is expected.json" },
  };
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_import_" });
  try {
    await fn(join(dir, "artifacts"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const shape of SHAPES) {
  Deno.test(`import ${shape.name}: parity on every sample row, ${shape.method} reasons`, async () => {
    await withDir(async (out) => {
      const expected = await expectedOf(shape.name);
      const options = await optionsFor(shape.name, out);
      const report = await importModel(options);
      const { meta } = report;
      assert.equal(meta.provenance.source, shape.kind);
      assert.equal(meta.reasons.method, shape.method);
      assert.equal(report.output.rewritten, shape.rewritten ?? false);
      if (shape.kind === "onnx") {
        assert.equal(meta.onnx.output_name, expected.probability.tensor);
        assert.equal(meta.onnx.output_column, expected.probability.column);
      } else {
        assert.ok(report.parity.xgboostRule!.maxAbs <= 1e-5);
      }

      // The written directory serves the reference probabilities on every row.
      const model = await loadModel(out);
      try {
        const table = await readCsvFile(options.data);
        const rows = tableToFeatures(table, meta.features);
        const served = await model.scoreRows(rows);
        const want = expected.probabilities as number[];
        assert.equal(served.length, want.length);
        served.forEach((p, i) =>
          assert.ok(Math.abs(p - want[i]) <= 1e-5, `row ${i + 1}: ${p} vs ${want[i]}`)
        );

        // Reasons: raw feature names, additive, and exact for trees and linear models.
        const explained = shape.method === "sampling" ? rows.slice(0, 25) : rows;
        const explanations = await model.explainer.explainRows(explained);
        const names = meta.features.map((f) => f.name);
        const matrix = model.encoder.encode(explained);
        const width = model.encoder.width;
        const r = meta.reasons;
        const trees = r.method === "tree_shap"
          ? explainedTrees(r, {
            onnxBytes: model.onnxBytes,
            width,
            covers: model.explainerData.covers,
          })
          : null;
        explanations.forEach((e, i) => {
          assert.deepEqual(Object.keys(e.contributions), names);
          for (const reason of e.reasons) assert.ok(names.includes(reason.feature));
          const sum = Object.values(e.contributions).reduce((s, c) => s + c, e.base_value);
          const x = matrix.subarray(i * width, (i + 1) * width);
          if (r.method === "sampling") {
            assert.ok(Math.abs(sum - toUnits(r.units, served[i])) <= 1e-6, `row ${i + 1}`);
            return;
          }
          const margin = trees ? predictLogOdds(trees, x) : linearLogOdds(r as never, x);
          assert.ok(Math.abs(sum - margin) <= 1e-9, `row ${i + 1}: ${sum} vs ${margin}`);
          const p = r.method === "tree_shap" && r.units === "probability"
            ? margin
            : sigmoid(margin);
          assert.ok(
            Math.abs(p - served[i]) <= 1e-5,
            `row ${i + 1}: link(margin) ${p} vs ${served[i]}`,
          );
        });
      } finally {
        await model.release();
      }
      assert.ok(report.reasons.msPerRow! > 0);
      assert.ok(existsSync(join(out, "MODEL_CARD.md")));
      assert.ok(existsSync(join(out, "reference_sample.csv")));
    });
  });
}

Deno.test("ZipMap: the served file is the given one plus one graph output", async () => {
  await withDir(async (out) => {
    const options = await optionsFor("lgbm_zipmap", out);
    const report = await importModel(options);
    const given = inspectOnnx(await Deno.readFile(options.source.path));
    const served = inspectOnnx(await Deno.readFile(join(out, "model.onnx")));
    assert.deepEqual(served.nodes, given.nodes);
    assert.deepEqual(served.outputs.slice(0, -1), given.outputs);
    assert.equal(served.outputs.at(-1)?.name, "lgbmprobabilities");
    const p = report.meta.provenance as Record<string, unknown>;
    assert.equal((p.rewrites as string[]).length, 1);
    assert.equal(p.producer, "OnnxMLTools 1.16.0");
    assert.equal(
      report.meta.reasons.method === "tree_shap" && report.meta.reasons.covers.source,
      "file",
    );
  });
});

Deno.test("external weights travel with the model; the second model's reasons use its sentences", async () => {
  await withDir(async (out) => {
    const report = await importModel(await optionsFor("torch_mlp", out));
    assert.deepEqual(report.meta.onnx.external_data.map((e) => e.file), ["model.onnx.data"]);
    assert.ok(existsSync(join(out, "model.onnx.data")));
  });
  await withDir(async (out) => {
    const { meta } = await importModel(await optionsFor("second_model", out));
    const grade = meta.features.find((f) => f.name === "sub_grade")!;
    assert.equal(grade.reason?.text, "Credit grade is weak");
    assert.equal(grade.type === "categorical" && grade.levels.length, 35);
    assert.deepEqual(meta.target, {
      name: "loan_status",
      positive_label: "Charged Off",
      negative_label: "Fully Paid",
    });
    assert.match(meta.model_version, /^xgboost-[0-9a-f]{12}$/);
  });
});

const REFUSALS: [string, RegExp][] = [
  ["refuse_two_inputs", /2 inputs \(applicant float \[N, 5\], loan float \[N, 4\]\)/],
  ["refuse_int64_input", /input "features" is int64 \[N, 9\]/],
  ["refuse_not_probability", /"variable": values range over \[-3\.872, 3\.131\].*outside \[0, 1\]/],
  ["refuse_multiclass", /multiclass model: "probabilities" holds 3 classes/],
];

for (const [name, message] of REFUSALS) {
  Deno.test(`import ${name}: refused, saying what was found`, async () => {
    await withDir(async (out) => {
      await assert.rejects(importModel(await optionsFor(name, out)), (err: Error) => {
        assert.ok(err instanceof ImportRefusal, `${err.name}: ${err.message}`);
        assert.match(err.message, message);
        return true;
      });
      assert.ok(!existsSync(out), "nothing is written for a refused model");
    });
  });
}

Deno.test("unlabelled data needs --threshold; then there are no metrics and no target", async () => {
  await withDir(async (out) => {
    const options = { ...await optionsFor("xgboost_json_base_score", out) };
    const unlabelled = {
      ...options,
      target: undefined,
      positive: undefined,
      columns: undefined,
    };
    // Without --target, Status would be a model column: give the columns explicitly.
    const cols = join(out, "..", "columns.json");
    const table = await readCsvFile(options.data);
    await Deno.writeTextFile(
      cols,
      JSON.stringify(table.columns.filter((c) => c !== "Status").map((name) => ({ name }))),
    );
    await assert.rejects(importModel({ ...unlabelled, columns: cols }), /give --threshold P/);
    const { meta } = await importModel({ ...unlabelled, columns: cols, threshold: 0.2 });
    assert.equal(meta.target, null);
    assert.equal(meta.metrics.test, undefined);
    assert.equal(meta.threshold, 0.2);
  });
});

Deno.test("data that does not fit the model is an error naming what is wrong", async () => {
  await withDir(async (out) => {
    const options = await optionsFor("xgboost_json_base_score", out);
    await assert.rejects(
      importModel({ ...options, target: "Status", positive: "nope" }),
      /--positive "nope" never occurs in Status \(labels: "bad", "good"\)/,
    );
    // Without --target the outcome column would be a (numeric) model column.
    await assert.rejects(
      importModel({ ...options, target: undefined, positive: undefined, threshold: 0.5 }),
      /column "Status": expected a number, got "bad"; .*give the feature's levels with --columns/,
    );
    const table = await readCsvFile(options.data);
    const columns = join(out, "..", "columns.json");
    const eight = table.columns.filter((c) => c !== "Status").slice(1);
    await Deno.writeTextFile(columns, JSON.stringify(eight.map((name) => ({ name }))));
    await assert.rejects(
      importModel({ ...options, columns }),
      refusedWith(/the booster reads 9 columns \(num_feature\) but the encoding has 8/),
    );
    const reasons = join(out, "..", "reasons.json");
    await Deno.writeTextFile(reasons, JSON.stringify({ Salary: "Salary is low" }));
    await assert.rejects(
      importModel({ ...options, reasons }),
      /--reasons names features the model does not read: Salary/,
    );
  });
});

function refusedWith(message: RegExp) {
  return (err: Error) => {
    assert.ok(err instanceof ImportRefusal, `${err.name}: ${err.message}`);
    assert.match(err.message, message);
    return true;
  };
}

Deno.test("a booster's saved feature names are checked against the columns", async () => {
  assert.deepEqual(
    featureNameMismatches(
      [{ name: "dti" }, { name: "purpose", level: "car" }, { name: "grade", codes: { A: 0 } }],
      ["dti", "purpose_car", "grade"],
    ),
    [],
  );
  assert.deepEqual(featureNameMismatches([{ name: "a" }], ["b", "c"]), [], "no names to compare");
  await withDir(async (out) => {
    const options = await optionsFor("xgboost_json_base_score", out);
    const json = JSON.parse(await Deno.readTextFile(options.source.path));
    const table = await readCsvFile(options.data);
    const names = table.columns.filter((c) => c !== "Status");
    json.learner.feature_names = [names[1], names[0], ...names.slice(2)];
    const swapped = join(out, "..", "model.json");
    await Deno.writeTextFile(swapped, JSON.stringify(json));
    const report = await importModel({ ...options, source: { kind: "xgboost", path: swapped } });
    assert.equal(report.warnings.length, 1);
    assert.match(
      report.warnings[0],
      new RegExp(`column 0 is ${names[0]} but the booster calls it "${names[1]}"`),
    );
  });
});

Deno.test("sampling over its budget: the model gives no reasons, and says so", async () => {
  await withDir(async (out) => {
    const report = await importModel({
      ...await optionsFor("torch_mlp", out),
      samplingBudgetMs: 0,
    });
    assert.equal(report.meta.reasons.method, "none");
    assert.equal(report.reasons.msPerRow, null);
    const model = await loadModel(out);
    try {
      assert.match(
        model.explainer.unavailable!,
        /^sampling Shapley values cost \d+ ms per explained row with this model \(budget 0 ms\)/,
      );
    } finally {
      await model.release();
    }
    const card = await Deno.readTextFile(join(out, "MODEL_CARD.md"));
    assert.match(card, /`reasons_unavailable`/);
  });
});
