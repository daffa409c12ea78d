import assert from "node:assert/strict";
import pb from "protobufjs/minimal";
import {
  appendGraphOutputs,
  consumersOf,
  describeValue,
  inspectOnnx,
  producerOf,
} from "./onnx_graph.ts";
import { onnx } from "./onnx_proto.ts";

const FIXTURES = new URL("./testdata/models/", import.meta.url).pathname;
const read = (name: string) => Deno.readFile(`${FIXTURES}${name}/model.onnx`);

Deno.test("inspectOnnx: inputs, typed outputs, nodes, opsets, producer, external data", async () => {
  const zip = inspectOnnx(await read("lgbm_zipmap"));
  assert.equal(zip.irVersion, 4);
  assert.deepEqual(zip.opsets, { "": 9, "ai.onnx.ml": 1 });
  assert.match(zip.producer, /^OnnxMLTools/);
  assert.deepEqual(zip.inputs, [{
    name: "input",
    kind: "tensor",
    elemType: "FLOAT",
    dims: [null, 26],
  }]);
  assert.deepEqual(zip.outputs.map((o) => [o.name, o.kind, o.elemType]), [
    ["label", "tensor", "INT64"],
    ["probabilities", "sequence", null],
  ]);
  assert.equal(describeValue(zip.inputs[0]), "float [?, 26]");
  assert.equal(producerOf(zip, "probabilities")?.opType, "ZipMap");
  assert.deepEqual(consumersOf(zip, "lgbmprobabilities").map((n) => n.opType), ["ZipMap"]);
  assert.deepEqual(producerOf(zip, "probabilities")?.attributes.classlabels_int64s, [0, 1]);

  const torch = inspectOnnx(await read("torch_mlp"));
  assert.deepEqual(torch.externalData, ["model.onnx.data"]);
  assert.deepEqual(torch.inputs[0].dims, ["batch_size", 9]);
  assert.equal(torch.initializers.length, 7);
  assert.deepEqual(torch.outputs[0].dims, [1, 1], "the declared (wrong) shape is reported as is");

  assert.throws(() => inspectOnnx(new Uint8Array([1, 2, 3, 4])), /not an ONNX model/);
});

Deno.test("appendGraphOutputs adds outputs and keeps every other byte, unknown fields too", async () => {
  const original = await read("lgbm_zipmap");
  // An exporter's field this schema does not know (number 99), before and after the graph.
  const unknown = Uint8Array.from(pb.Writer.create().uint32((99 << 3) | 0).uint32(7).finish());
  const bytes = new Uint8Array([...unknown, ...original, ...unknown]);
  const rewritten = appendGraphOutputs(bytes, [{ name: "lgbmprobabilities", dims: ["N", 2] }]);
  const before = inspectOnnx(bytes);
  const after = inspectOnnx(rewritten);
  assert.deepEqual(after.outputs.slice(0, 2), before.outputs);
  assert.deepEqual(after.outputs[2], {
    name: "lgbmprobabilities",
    kind: "tensor",
    elemType: "FLOAT",
    dims: ["N", 2],
  });
  assert.deepEqual(after.nodes, before.nodes);
  assert.deepEqual(rewritten.slice(0, unknown.length), unknown);
  assert.deepEqual(rewritten.slice(rewritten.length - unknown.length), unknown);
  // Everything but the graph field decodes the same.
  const a = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes));
  const b = onnx.ModelProto.toObject(onnx.ModelProto.decode(rewritten));
  delete a.graph.output;
  delete b.graph.output;
  assert.deepEqual(b, a);
  assert.throws(() => appendGraphOutputs(unknown, [{ name: "x" }]), /no graph/);
});
