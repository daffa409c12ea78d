import assert from "node:assert/strict";
import { join } from "node:path";
import { loadModel } from "./model.ts";
import { openRegistry } from "./registry.ts";
import { writeVersion } from "../testing/model_versions.ts";

async function tempDir(): Promise<string & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_registry_" });
  return Object.assign(dir, {
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  }) as string & AsyncDisposable;
}

Deno.test("every valid version loads; broken, duplicate and foreign directories are skipped with why", async () => {
  await using dir = await tempDir();
  const models = join(`${dir}`, "models");
  await writeVersion(join(`${dir}`, "artifacts"), "v1");
  await writeVersion(join(models, "b"), "v2", { threshold: 0.4 });
  await writeVersion(join(models, "a-broken"), "v3", { corrupt: true });
  await writeVersion(join(models, "c-dup"), "v1");
  await Deno.mkdir(join(models, "d-empty"));
  await writeVersion(join(models, ".incoming"), "v9");
  await Deno.writeTextFile(join(models, "README"), "not a directory");
  const registry = await openRegistry({
    artifactsDir: join(`${dir}`, "artifacts"),
    modelsDir: models,
    load: (d) => loadModel(d),
  });
  try {
    assert.deepEqual(registry.all().map((m) => m.meta.model_version), ["v1", "v2"]);
    assert.equal(registry.defaultVersion(), "v1");
    assert.equal(registry.get("v2")?.meta.threshold, 0.4);
    assert.equal(registry.get("v2")?.dir, join(models, "b"));
    assert.equal(registry.get("v9"), undefined, "dot directories are left alone");
    const skipped = registry.skipped();
    assert.deepEqual(
      skipped.map((s) => s.dir),
      ["a-broken", "c-dup", "d-empty"].map((n) => join(models, n)),
    );
    assert.match(skipped[0].reason, /sha256/);
    assert.match(skipped[1].reason, /version v1 is already loaded from .*artifacts/);
    assert.match(skipped[2].reason, /model_meta\.json/);
  } finally {
    await registry.release();
  }
});

Deno.test("a rescan loads new directories and retries fixed ones, keeping what is loaded", async () => {
  await using dir = await tempDir();
  const models = join(`${dir}`, "models");
  await writeVersion(join(models, "a"), "v1");
  await writeVersion(join(models, "b"), "v2", { corrupt: true });
  const loads: string[] = [];
  const registry = await openRegistry({
    artifactsDir: "",
    modelsDir: models,
    load: (d) => {
      loads.push(d);
      return loadModel(d);
    },
  });
  try {
    const first = registry.get("v1");
    assert.equal(registry.defaultVersion(), null);
    await writeVersion(join(models, "b"), "v2");
    await writeVersion(join(models, "c"), "v3");
    const result = await registry.rescan();
    assert.deepEqual(result, { loaded: ["v2", "v3"], skipped: [] });
    assert.equal(registry.get("v1"), first, "not reloaded");
    assert.deepEqual(await registry.rescan(), { loaded: [], skipped: [] });
    assert.equal(loads.filter((d) => d.endsWith("/a")).length, 1);
  } finally {
    await registry.release();
  }
});

Deno.test("an unreadable MODELS_DIR is reported, ARTIFACTS_DIR still serves", async () => {
  await using dir = await tempDir();
  await writeVersion(join(`${dir}`, "artifacts"), "v1");
  const registry = await openRegistry({
    artifactsDir: join(`${dir}`, "artifacts"),
    modelsDir: join(`${dir}`, "nowhere"),
    load: (d) => loadModel(d),
  });
  try {
    assert.deepEqual(registry.all().map((m) => m.meta.model_version), ["v1"]);
    assert.match(registry.skipped()[0].reason, /MODELS_DIR cannot be read/);
  } finally {
    await registry.release();
  }
});
