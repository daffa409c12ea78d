import assert from "node:assert/strict";
import { parseCsv } from "../../api/scoring/feature_csv.ts";
import {
  inferType,
  parseTrainConfigFile,
  resolvePath,
  resolveTrainConfig,
} from "./train_config.ts";
import { bundledConfig } from "./small_config.ts";

const table = parseCsv(
  "id,grade,amount,income,outcome\n1,A,100,NA,paid\n2,B,250.5,40,lost\n3,A,1e3,NA,paid\n",
);

Deno.test("types, features and the negative label are inferred from the training data", () => {
  const file = parseTrainConfigFile({
    data: { train: "train.csv" },
    target: { name: "outcome", positive_label: "lost" },
    features: [{ name: "grade" }, { name: "amount", reason: "Amount is high" }, {
      name: "id",
      type: "categorical",
    }],
  }, "cfg.json");
  const config = resolveTrainConfig(file, { configPath: "conf/cfg.json", train: table });
  assert.deepEqual(config.features, [
    { name: "grade", type: "categorical" },
    { name: "amount", type: "numeric", reason: "Amount is high" },
    { name: "id", type: "categorical" },
  ]);
  assert.deepEqual(config.target, {
    name: "outcome",
    positive_label: "lost",
    negative_label: "paid",
  });
  assert.equal(config.data.train, "conf/train.csv");
  assert.equal(config.data.test, null);
  assert.deepEqual(config.costMatrix, {
    false_negative: 10,
    false_positive: 1,
    true_positive: 0,
    true_negative: 0,
  });
  assert.equal(config.card.outcome, "outcome is lost");

  // Without features: every column but the target, in file order.
  const all = resolveTrainConfig(
    parseTrainConfigFile({ data: { train: "t.csv" }, target: file.target }, "x"),
    { configPath: null, train: table },
  );
  assert.deepEqual(all.features.map((f) => [f.name, f.type]), [
    ["id", "numeric"],
    ["grade", "categorical"],
    ["amount", "numeric"],
    ["income", "numeric"],
  ]);
});

Deno.test("configuration errors name the field, the column or the labels", () => {
  assert.throws(
    () => parseTrainConfigFile({ data: {}, target: { name: "y" }, gbdt: { depth: 3 } }, "cfg.json"),
    (err: Error) => {
      assert.match(err.message, /^cfg\.json: invalid training configuration/);
      assert.match(err.message, /data\.train/);
      assert.match(err.message, /target\.positive_label/);
      assert.match(err.message, /gbdt/);
      return true;
    },
  );
  const file = (target: Record<string, string>, features?: { name: string }[]) =>
    parseTrainConfigFile({ data: { train: "t.csv" }, target, features }, "x");
  assert.throws(
    () =>
      resolveTrainConfig(file({ name: "amount", positive_label: "100" }), {
        configPath: null,
        train: table,
      }),
    /expected two labels including 100, found "100", "250.5", "1e3"; set target.negative_label/,
  );
  assert.throws(
    () =>
      resolveTrainConfig(file({ name: "nope", positive_label: "x" }), {
        configPath: null,
        train: table,
      }),
    /the training data has no column nope/,
  );
  assert.throws(
    () =>
      resolveTrainConfig(file({ name: "outcome", positive_label: "lost" }, [{ name: "salary" }]), {
        configPath: null,
        train: table,
      }),
    /feature salary: the training data has no column salary/,
  );
  assert.throws(() => inferType([null, undefined]), /no values/);
  assert.equal(inferType(["1", " 2.5 ", "-3e2", null]), "numeric");
  assert.equal(inferType(["1", "0x10"]), "categorical");
  assert.equal(resolvePath("/a/b/c.json", "/abs.csv"), "/abs.csv");
});

Deno.test("the bundled configuration file lists every feature with its sentence", () => {
  const config = bundledConfig();
  assert.equal(config.features.length, 13);
  assert.ok(config.features.every((f) => f.reason && f.description));
  assert.equal(config.data.train, "data/credit_data/train.csv");
  assert.equal(config.source, "data/credit_data/train_config.json");
});
