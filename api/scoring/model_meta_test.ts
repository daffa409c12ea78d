import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURE_FEATURES, writeFixtureModel } from "../testing/fixture_model.ts";
import { loadModel } from "./model.ts";
import {
  encodingProblems,
  META_FILE,
  type ModelMeta,
  ordinalColumns,
  parseModelMeta,
} from "./model_meta.ts";

/** The fixture's metadata as `deno task train` wrote it before schema version 2. */
function asVersion1(meta: ModelMeta): Record<string, unknown> {
  return {
    schema_version: 1,
    model_version: meta.model_version,
    model_type: meta.model_type,
    onnx: {
      file: meta.onnx.file,
      input_name: meta.onnx.input_name,
      output_name: meta.onnx.output_name,
      output_column: meta.onnx.output_column,
      sha256: meta.onnx.sha256,
    },
    features: meta.features.map((
      f,
    ) => (f.type === "categorical" ? { ...f, encoding: "ordinal" } : f)),
    target: meta.target,
    threshold: meta.threshold,
    cost_matrix: meta.cost_matrix,
    training: {},
    dataset: {},
    metrics: meta.metrics,
  };
}

Deno.test("version 1 metadata is read as version 2: ordinal columns, tree reasons, same scores", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const meta = await writeFixtureModel(dir);
    const v2 = await loadModel(dir);
    const rows = [{ ...Object.fromEntries(FIXTURE_FEATURES.map((f) => [f.name, null])) }, {
      ...Object.fromEntries(
        FIXTURE_FEATURES.map((f) => [f.name, f.type === "numeric" ? 1 : f.mode]),
      ),
      Records: "yes",
    }];
    const want = await v2.scoreRows(rows);
    await v2.release();

    const v1 = asVersion1(meta);
    const upgraded = parseModelMeta(v1, "v1");
    assert.equal(upgraded.schema_version, 2);
    assert.deepEqual(upgraded.columns, ordinalColumns(meta.features));
    assert.deepEqual(upgraded.columns[1], {
      name: "Home",
      codes: { ignore: 0, other: 1, owner: 2, parents: 3, priv: 4, rent: 5 },
    });
    assert.equal(upgraded.reasons.method, "tree_shap");
    assert.equal(upgraded.reference.file, "reference_sample.csv");
    assert.ok(upgraded.features.every((f) => !("encoding" in f)));

    await Deno.writeTextFile(join(dir, META_FILE), JSON.stringify(v1));
    const model = await loadModel(dir);
    try {
      assert.deepEqual(await model.scoreRows(rows), want);
      const [e] = await model.explainer.explainRows([rows[1]]);
      assert.equal(e.reasons[0].feature, "Records");
    } finally {
      await model.release();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("version 2 validation names every inconsistency", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const meta = await writeFixtureModel(dir);
    const broken = structuredClone(meta) as unknown as Record<string, unknown> & ModelMeta;
    broken.columns = [...meta.columns.slice(1), { name: "Salary" }];
    broken.onnx.file = "../elsewhere/model.onnx";
    broken.reasons = {
      method: "linear",
      units: "log_odds",
      intercept: 0,
      weights: [1],
      fill: [null],
      means: [0],
    };
    assert.throws(() => parseModelMeta(broken, "meta.json"), (err: Error) => {
      assert.match(err.message, /^meta\.json: invalid model metadata/);
      assert.match(
        err.message,
        /onnx\.file: must be a relative path inside the artifacts directory/,
      );
      assert.match(err.message, /column 12 \(Salary\) names no feature/);
      assert.match(err.message, /feature Seniority has no column/);
      assert.match(err.message, /reasons\.weights: 1 entries for 13 columns/);
      return true;
    });
    assert.throws(() => parseModelMeta({ schema_version: 3 }, "x"), /schema_version/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("encodingProblems: mixing an ordinal column with one-hot columns, or numeric columns twice", () => {
  const home = FIXTURE_FEATURES[1];
  const income = FIXTURE_FEATURES[8];
  assert.deepEqual(
    encodingProblems([home, income], [
      { name: "Home", codes: { rent: 0 } },
      { name: "Home", level: "rent" },
      { name: "Income" },
      { name: "Income" },
    ]),
    [
      "column 3 (Income) repeats an earlier column",
      "feature Home mixes an ordinal column with other columns",
      "numeric feature Income has 2 columns",
    ],
  );
});
