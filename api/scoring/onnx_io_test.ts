import assert from "node:assert/strict";
import { inspectOnnx } from "./onnx_graph.ts";
import {
  checkProbabilities,
  chooseColumn,
  chooseInput,
  ImportRefusal,
  type OutputCandidate,
  outputCandidates,
} from "./onnx_io.ts";

const FIXTURES = new URL("./testdata/models/", import.meta.url).pathname;
const summary = async (name: string) =>
  inspectOnnx(await Deno.readFile(`${FIXTURES}${name}/model.onnx`));

const refused = (message: RegExp) => (err: Error) => {
  assert.ok(err instanceof ImportRefusal, `${err.name}: ${err.message}`);
  assert.match(err.message, message);
  return true;
};

Deno.test("chooseInput: one float [N, k] input; refusals say what was found", async () => {
  assert.deepEqual(chooseInput(await summary("lgbm_zipmap")), { name: "input", width: 26 });
  assert.deepEqual(chooseInput(await summary("torch_mlp")), { name: "input", width: 9 });
  await assert.rejects(
    async () => chooseInput(await summary("refuse_two_inputs")),
    refused(/2 inputs \(applicant float \[N, 5\], loan float \[N, 4\]\)/),
  );
  await assert.rejects(
    async () => chooseInput(await summary("refuse_int64_input")),
    refused(/input "features" is int64 \[N, 9\]; the service feeds float32/),
  );
});

Deno.test("outputCandidates: the ZipMap's input first, named probabilities before others", async () => {
  const [zip] = outputCandidates(await summary("lgbm_zipmap"));
  assert.equal(zip.tensor, "lgbmprobabilities");
  assert.equal(zip.graphOutput, false);
  assert.deepEqual(zip.labels, [0, 1]);
  assert.match(zip.why, /feeding ZipMap "probabilities"/);

  const strings = outputCandidates(await summary("sklearn_pipeline_normalizer"));
  assert.deepEqual(strings.map((c) => [c.tensor, c.labels]), [["probabilities", ["bad", "good"]]]);

  const sigmoid = outputCandidates(await summary("xgb_regressor_sigmoid"));
  assert.deepEqual(sigmoid.map((c) => c.tensor), ["probability", "log_odds"]);

  const plain = outputCandidates(await summary("lgbm_nozipmap"));
  assert.deepEqual(plain.map((c) => [c.tensor, c.graphOutput, c.labels]), [
    ["probabilities", true, [0, 1]], // through Mul and Identity back to the classifier
  ]);
  await assert.rejects(
    async () => outputCandidates(await summary("refuse_multiclass")),
    refused(/multiclass model: "probabilities" holds 3 classes \(0, 1, 2\)/),
  );
});

Deno.test("outputCandidates with --output: a ZipMap output, an internal tensor, or a clear error", async () => {
  const s = await summary("lgbm_zipmap");
  assert.equal(outputCandidates(s, { output: "probabilities" })[0].tensor, "lgbmprobabilities");
  const internal = outputCandidates(s, { output: "probability_tensor" });
  assert.deepEqual(internal.map((c) => [c.tensor, c.graphOutput]), [["probability_tensor", false]]);
  assert.throws(
    () => outputCandidates(s, { output: "label" }),
    refused(/int64 \[\?\], not a float/),
  );
  assert.throws(
    () => outputCandidates(s, { output: "nope" }),
    refused(/--output nope: no such tensor \(outputs and tensors: label, probabilities/),
  );
});

Deno.test("chooseColumn: positive label's column, conventions, and overrides", () => {
  const c = (labels: (string | number)[] | null): OutputCandidate => ({
    tensor: "p",
    graphOutput: true,
    labels,
    why: "",
  });
  assert.equal(chooseColumn(c(["bad", "good"]), 2, { positive: "bad" }).column, 0);
  assert.equal(chooseColumn(c(["good", "bad"]), 2, { positive: "bad" }).column, 1);
  assert.equal(chooseColumn(c([0, 1]), 2, { positive: "bad" }).column, 1);
  assert.equal(chooseColumn(c([1, 0]), 2, { positive: "1" }).column, 0);
  assert.equal(chooseColumn(c(null), 2).column, 1);
  assert.equal(chooseColumn(c(null), 1).column, 0);
  assert.equal(chooseColumn(c(["bad", "good"]), 2, { positive: "bad", outputColumn: 1 }).column, 1);
  assert.throws(() => chooseColumn(c(null), 1, { outputColumn: 1 }), refused(/has 1 column/));
  assert.throws(() => chooseColumn(c(null), 3), refused(/multiclass model: "p" has 3 columns/));
  assert.throws(
    () => chooseColumn(c(["yes", "no"]), 2, { positive: "bad" }),
    refused(/class labels are "yes", "no"; --positive "bad" is none of them/),
  );
});

Deno.test("checkProbabilities: finite values in [0, 1] only", () => {
  assert.equal(checkProbabilities([0, 0.5, 1]), null);
  assert.match(checkProbabilities([-3.87, 0.5, 3.13])!, /\[-3\.870, 3\.130\].*not a probability/);
  assert.match(checkProbabilities([0.5, NaN])!, /1 of 2 values are not finite/);
});
