import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFixtureModel } from "../testing/fixture_model.ts";
import { loadModel } from "./model.ts";
import { decide, decisionLabel } from "./model_meta.ts";

async function withFixture(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await writeFixtureModel(dir);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("decide rejects (1) at and above the threshold, approves (0) below", () => {
  assert.equal(decide(0.3, 0.3), 1);
  assert.equal(decide(0.2999, 0.3), 0);
  assert.equal(decisionLabel(1), "reject");
  assert.equal(decisionLabel(0), "approve");
});

Deno.test("loadModel names the missing file", async () => {
  await withFixture(async (dir) => {
    await Deno.remove(join(dir, "model.onnx"));
    await assert.rejects(loadModel(dir), /model\.onnx: file not found/);
  });
});

Deno.test("loadModel names the metadata file and the invalid fields", async () => {
  await withFixture(async (dir) => {
    const path = join(dir, "model_meta.json");
    const meta = JSON.parse(await Deno.readTextFile(path));
    delete meta.threshold;
    meta.features[0].type = "text";
    await Deno.writeTextFile(path, JSON.stringify(meta));
    await assert.rejects(loadModel(dir), (err: Error) => {
      assert.match(err.message, /model_meta\.json: invalid model metadata/);
      assert.match(err.message, /threshold/);
      assert.match(err.message, /features\.0/);
      return true;
    });
    await Deno.writeTextFile(path, "{ not json");
    await assert.rejects(loadModel(dir), /model_meta\.json: not valid JSON/);
  });
});

Deno.test("loadModel refuses an ONNX file that is not the one the metadata describes", async () => {
  await withFixture(async (dir) => {
    await Deno.writeFile(join(dir, "model.onnx"), new Uint8Array([1, 2, 3]));
    await assert.rejects(loadModel(dir), /model\.onnx: sha256 .* does not match/);
  });
});

Deno.test("loadModel reports a corrupt ONNX file whose hash was updated", async () => {
  await withFixture(async (dir) => {
    const bytes = new Uint8Array([1, 2, 3]);
    await Deno.writeFile(join(dir, "model.onnx"), bytes);
    const metaPath = join(dir, "model_meta.json");
    const meta = JSON.parse(await Deno.readTextFile(metaPath));
    const { createHash } = await import("node:crypto");
    meta.onnx.sha256 = createHash("sha256").update(bytes).digest("hex");
    await Deno.writeTextFile(metaPath, JSON.stringify(meta));
    await assert.rejects(loadModel(dir), /model\.onnx: onnxruntime cannot load the model/);
  });
});
