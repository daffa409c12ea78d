/**
 * `deno task train --config` on data that is not credit_data (the fixtures'
 * consumer loans: features and their types inferred, a string target): the
 * artifacts load and serve with reasons; `--tune` writes a tuned
 * configuration that reproduces its artifacts byte for byte. (Determinism of
 * a plain run: `training/artifacts_test.ts`.)
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readCsvFile, tableToFeatures } from "../api/scoring/feature_csv.ts";
import { loadModel } from "../api/scoring/model.ts";
import { runDenoScript } from "../api/testing/run_deno.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const DATA = join(ROOT, "api/scoring/testdata/models/second_model");
const FILES = ["model.onnx", "model_meta.json", "MODEL_CARD.md", "reference_sample.csv"];

function train(dir: string, ...args: string[]) {
  return runDenoScript("scripts/train.ts", args, {
    permissions: [`--allow-read=${ROOT},${dir}`, `--allow-write=${dir}`],
    cwd: ROOT,
  });
}

async function files(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of FILES) out[f] = await Deno.readTextFile(join(dir, f));
  return out;
}

Deno.test("train --config on your own data: inferred features, served with reasons, --tune", async () => {
  const dir = await Deno.makeTempDir({ prefix: "train_cli_" });
  try {
    const config = join(dir, "loans.json");
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        name: "consumer loan model",
        data: { train: join(DATA, "train.csv"), test: join(DATA, "test.csv") },
        target: { name: "loan_status", positive_label: "Charged Off" },
        features: [
          { name: "sub_grade", reason: "Credit grade is weak" },
          { name: "dti" },
          {
            name: "annual_inc",
          },
          { name: "term" },
          { name: "purpose" },
        ],
        gbdt: { n_trees: 30, learning_rate: 0.2, max_depth: 2 },
        early_stopping: null,
        cv_folds: 2,
        max_bins: 32,
        tune: {
          max_depth: [1, 2],
          learning_rate: [0.3],
          min_child_weight: [1],
          subsample: [1],
          max_trees: 15,
        },
      }),
    );
    const a = await train(dir, "--config", config, "--out", join(dir, "a"));
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^model gbdt-[0-9a-f]{12}: threshold /);
    assert.match(a.stdout, /test: ROC AUC 0\.\d+/);

    const model = await loadModel(join(dir, "a"));
    try {
      const { meta } = model;
      assert.deepEqual(meta.features.map((f) => [f.name, f.type]), [
        ["sub_grade", "categorical"],
        ["dti", "numeric"],
        ["annual_inc", "numeric"],
        ["term", "categorical"],
        ["purpose", "categorical"],
      ]);
      assert.equal(meta.target?.negative_label, "Fully Paid");
      assert.equal(meta.features[0].reason?.text, "Credit grade is weak");
      const rows = tableToFeatures(await readCsvFile(join(DATA, "test.csv")), meta.features);
      const scores = await model.scoreRows(rows);
      assert.equal(scores.length, 500);
      const [e] = await model.explainer.explainRows(rows.slice(0, 1));
      assert.deepEqual(Object.keys(e.contributions), meta.features.map((f) => f.name));
      const card = await Deno.readTextFile(join(dir, "a", "MODEL_CARD.md"));
      assert.match(card, /^# Model card: consumer loan model `gbdt-/);
      assert.match(card, /loan_status/);
    } finally {
      await model.release();
    }

    const tuned = await train(dir, "--config", config, "--out", join(dir, "t"), "--tune");
    assert.equal(tuned.code, 0, tuned.stderr);
    assert.match(tuned.stderr, /tuned configuration written to .*loans\.tuned\.json/);
    const written = JSON.parse(await Deno.readTextFile(join(dir, "loans.tuned.json")));
    assert.equal(written.early_stopping, null);
    assert.ok(written.gbdt.n_trees >= 1 && written.gbdt.n_trees <= 15);
    assert.match(written.tuning, /^chosen by `deno task train --tune`: 2-fold CV/);
    const again = await train(
      dir,
      "--config",
      join(dir, "loans.tuned.json"),
      "--out",
      join(dir, "u"),
    );
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await files(join(dir, "u")), await files(join(dir, "t")));

    const bad = await train(dir, "--nope");
    assert.equal(bad.code, 2);
    const missing = await train(dir, "--config", join(dir, "none.json"));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^train: .*none\.json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
