import assert from "node:assert/strict";
import { decodeEnsemble, decodeTreeNode, encodeEnsemble, ONNX_IO } from "./onnx_tree_codec.ts";
import { onnx } from "./onnx_proto.ts";
import { createOnnxScorer } from "./onnx_session.ts";
import { predictLogOdds, sigmoid, type TreeEnsemble, withSampleCovers } from "./tree_ensemble.ts";

const f = Math.fround;

/** Tree 1 splits x0 < 1.5 (NaN left), tree 2 splits x1 < 2.5 (NaN right), depth 2 on tree 2. */
const model: TreeEnsemble = {
  baseScore: f(-0.5),
  nFeatures: 2,
  trees: [
    {
      feature: [0, -1, -1],
      threshold: [1.5, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      missingLeft: [true, false, false],
      value: [0, f(0.3), f(-0.2)],
      cover: [10, 4, 6],
    },
    {
      feature: [1, 0, -1, -1, -1],
      threshold: [2.5, 3, 0, 0, 0],
      left: [1, 3, -1, -1, -1],
      right: [2, 4, -1, -1, -1],
      missingLeft: [false, false, false, false, false],
      value: [0, 0, f(0.9), f(-0.7), f(0.1)],
      cover: [10, 5, 5, 2, 3],
    },
  ],
};

Deno.test("decodeEnsemble(encodeEnsemble(m)) gives back the same trees", () => {
  assert.deepEqual(decodeEnsemble(encodeEnsemble(model)), model);
});

Deno.test("encoding is deterministic", () => {
  assert.deepEqual(encodeEnsemble(model), encodeEnsemble(model));
});

Deno.test("onnxruntime scores match hand-computed values, missing values included", async () => {
  const scorer = await createOnnxScorer(encodeEnsemble(model), {
    inputName: ONNX_IO.input,
    outputName: ONNX_IO.proba,
    outputColumn: 0,
    nFeatures: 2,
  });
  // Hand-walked: [1, 2] → 0.3 + (-0.7); [2, 3] → -0.2 + 0.9; [NaN, NaN] → 0.3 + 0.9;
  // [5, 1] → -0.2 + 0.1 (x0 = 5 ≥ 3 in tree 2's second split).
  const rows = [[1, 2], [2, 3], [NaN, NaN], [5, 1]];
  const expected = [0.3 - 0.7, -0.2 + 0.9, 0.3 + 0.9, -0.2 + 0.1].map((z) => sigmoid(-0.5 + z));
  const got = await scorer.score(new Float32Array(rows.flat()));
  rows.forEach((row, i) => {
    assert.ok(Math.abs(got[i] - expected[i]) < 1e-6, `row ${i}: ${got[i]} vs ${expected[i]}`);
    assert.ok(
      Math.abs(predictLogOdds(model, row) - (Math.log(expected[i] / (1 - expected[i])))) < 1e-6,
    );
  });
  await scorer.release();
});

Deno.test("decodeEnsemble explains what is wrong with a model it cannot read", () => {
  assert.throws(() => decodeEnsemble(new Uint8Array([8, 1])), /no TreeEnsembleRegressor/);
});

Deno.test("every ONNX split comparison, with and without missing tracking, walks like onnxruntime", async () => {
  const rules = ["<", "<=", ">", ">=", "==", "!="] as const;
  // One stump per (rule, missing-left) on column 0, leaf values powers of two so that the
  // sum tells exactly which side each stump took.
  const trees = rules.flatMap((rule, i) =>
    [false, true].map((missingLeft, k) => ({
      feature: [0, -1, -1],
      threshold: [2, 0, 0],
      left: [1, -1, -1],
      right: [2, -1, -1],
      missingLeft: [missingLeft, false, false],
      value: [0, 2 ** (2 * i + k), 0],
      cover: [1, 1, 1],
      rule: [rule, "<", "<"] as typeof rules[number][],
    }))
  );
  const stumps: TreeEnsemble = { baseScore: 0, nFeatures: 1, trees };
  const bytes = encodeEnsemble(stumps);
  const back = decodeEnsemble(bytes);
  assert.deepEqual(back.trees.map((t) => t.rule?.[0] ?? "<"), trees.map((t) => t.rule[0]));
  const scorer = await createOnnxScorer(bytes, {
    inputName: ONNX_IO.input,
    outputName: ONNX_IO.logOdds,
    outputColumn: 0,
    nFeatures: 1,
  });
  try {
    const xs = [1, 2, 3, NaN, -Infinity, Infinity];
    const got = await scorer.score(Float32Array.from(xs));
    xs.forEach((x, i) =>
      assert.equal(got[i], predictLogOdds(back, [x]), `x = ${x}: onnxruntime ${got[i]}`)
    );
  } finally {
    await scorer.release();
  }
});

Deno.test("decodeTreeNode: roots found wherever they are, node ids need not be dense", () => {
  // Tree 7 lists its leaves first and its root (id 40) last.
  const proto = onnx.ModelProto.decode(encodeEnsemble(model));
  const node = proto.graph!.node![0];
  const attrs = new Map(node.attribute!.map((a) => [a.name!, a]));
  const ids = attrs.get("nodes_nodeids")!.ints!.map(Number);
  const remap = (treeId: number, id: number) => (treeId === 1 ? [40, 11, 12, 13, 14][id] : id);
  const treeIds = attrs.get("nodes_treeids")!.ints!.map(Number);
  const order = ids.map((_, i) => i).reverse();
  const pick = <T>(xs: T[]) => order.map((i) => xs[i]);
  const set = (name: string, values: number[]) => (attrs.get(name)!.ints = values);
  set("nodes_treeids", pick(treeIds.map((t) => (t === 1 ? 7 : t))));
  set("nodes_nodeids", pick(ids.map((id, i) => remap(treeIds[i], id))));
  for (const key of ["nodes_truenodeids", "nodes_falsenodeids"]) {
    const v = attrs.get(key)!.ints!.map(Number);
    set(key, pick(v.map((id, i) => remap(treeIds[i], id))));
  }
  for (const key of ["nodes_featureids", "nodes_missing_value_tracks_true"]) {
    set(key, pick(attrs.get(key)!.ints!.map(Number)));
  }
  attrs.get("nodes_modes")!.strings = pick(attrs.get("nodes_modes")!.strings!);
  attrs.get("nodes_values")!.floats = pick(attrs.get("nodes_values")!.floats!);
  attrs.get("nodes_hitrates")!.floats = pick(attrs.get("nodes_hitrates")!.floats!);
  const leafTrees = attrs.get("target_treeids")!.ints!.map(Number);
  const leafNodes = attrs.get("target_nodeids")!.ints!.map(Number);
  set("target_treeids", leafTrees.map((t) => (t === 1 ? 7 : t)));
  set("target_nodeids", leafNodes.map((id, i) => remap(leafTrees[i], id)));
  const decoded = decodeTreeNode(node, { plus: [0], nFeatures: 2 });
  assert.deepEqual(decoded, model);
});

Deno.test("withSampleCovers counts the rows reaching each node", () => {
  const rows = [[1, 2], [2, 3], [NaN, NaN], [5, 1], [0, 9]];
  const covered = withSampleCovers(model, Float32Array.from(rows.flat()));
  assert.deepEqual(covered.trees[0].cover, [5, 3, 2]);
  assert.deepEqual(covered.trees[1].cover, [5, 2, 3, 1, 1]);
  assert.deepEqual(covered.trees[0].value, model.trees[0].value);
});
