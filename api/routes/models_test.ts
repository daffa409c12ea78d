import assert from "node:assert/strict";
import { join } from "node:path";
import { keyId } from "../auth/api_keys.ts";
import { createTestApp, creditTestRows, type TestApp } from "../testing/test_app.ts";
import { writeVersion } from "../testing/model_versions.ts";

const SCORING = "scoring-key-000000000001";
const ADMIN = "admin-key-0000000000000001";
const admin = { authorization: `Bearer ${ADMIN}` };
const [row] = await creditTestRows(1);

async function app(): Promise<TestApp & { modelsDir: string }> {
  const modelsDir = await Deno.makeTempDir({ prefix: "scorewatch_models_" });
  await writeVersion(join(modelsDir, "v2"), "v2", { threshold: 0.4 });
  await writeVersion(join(modelsDir, "v3"), "v3", { threshold: 0.2 });
  await writeVersion(join(modelsDir, "broken"), "v4", { corrupt: true });
  const t = await createTestApp({
    config: { apiKeys: [SCORING], adminKeys: [ADMIN] },
    modelsDir,
  });
  const dispose = t[Symbol.asyncDispose];
  return Object.assign(t, {
    modelsDir,
    async [Symbol.asyncDispose]() {
      await dispose();
      await Deno.remove(modelsDir, { recursive: true });
    },
  });
}

const json = (res: Response) => res.json();

Deno.test("/models: admin keys only; a scoring key is refused, no key challenged", async () => {
  await using t = await app();
  assert.equal((await t.app.request("/models")).status, 401);
  const scoring = await t.app.request("/models", { headers: { "x-api-key": SCORING } });
  assert.equal(scoring.status, 403);
  assert.match((await scoring.json()).detail, /ADMIN_KEYS/);
  const promote = await t.post("/models/v2/promote", {}, { "x-api-key": SCORING });
  assert.equal(promote.status, 403);
  await promote.body?.cancel();
  const listed = await json(await t.app.request("/models", { headers: admin }));
  assert.equal(listed.champion, "fixture-0001");
  const written = (await Deno.stat(join(t.modelsDir, "v2", "model_meta.json"))).mtime;
  assert.equal(
    listed.versions[1].created_at,
    written?.toISOString(),
    "when its metadata was written",
  );
  assert.deepEqual(listed.versions.map((v: { version: string }) => v.version), [
    "fixture-0001",
    "v2",
    "v3",
  ]);
});

Deno.test("a change records the admin key's id and the reason, and answers the new roles", async () => {
  await using t = await app();
  const shadow = await t.app.request("/models/v3/shadow", {
    method: "PUT",
    headers: { ...admin, "content-type": "application/json" },
    body: JSON.stringify({ reason: "compare on live traffic" }),
  });
  assert.equal(shadow.status, 200);
  assert.deepEqual((await shadow.json()).shadows, ["v3"]);
  // No body at all is fine: the reason is empty.
  const promoted = await json(
    await t.app.request("/models/v2/promote", { method: "POST", headers: admin }),
  );
  assert.equal(promoted.champion, "v2");
  assert.deepEqual(
    promoted.changes.map((c: Record<string, unknown>) => [c.action, c.key_id, c.reason]),
    [["promote", keyId(ADMIN), ""], ["shadow_on", keyId(ADMIN), "compare on live traffic"]],
  );
  // Scored by the new champion, shadowed by v3.
  const scored = await json(await t.post("/predict", { features: row }, admin));
  assert.equal(scored.model_version, "v2");
  assert.equal(scored.threshold, 0.4);
  assert.equal(t.countRows("shadow_predictions"), 1);
  const listed = await json(await t.app.request("/models", { headers: admin }));
  const scoredRows = Object.fromEntries(
    listed.versions.map((
      v: { version: string; rows_scored: number },
    ) => [v.version, v.rows_scored]),
  );
  assert.deepEqual(scoredRows, { "fixture-0001": 0, v2: 1, v3: 1 });
});

Deno.test("/health names the champion and the shadows, and warns of skipped directories", async () => {
  await using t = await app();
  await t.lifecycle.setShadow("v3", true, { keyId: "", reason: "" });
  const health = await json(await t.app.request("/health"));
  assert.equal(health.model_version, "fixture-0001");
  assert.deepEqual(health.shadow_versions, ["v3"]);
  assert.match(health.warnings.join("\n"), /model directory .*broken skipped: .*sha256/);
  await t.lifecycle.promote("v2", { keyId: "", reason: "" });
  const after = await json(await t.app.request("/health/ready"));
  assert.equal(after.model_version, "v2");
});

Deno.test("/metrics counts per version, shadow rows included", async () => {
  await using t = await app();
  await t.lifecycle.setShadow("v3", true, { keyId: "", reason: "" });
  for (let i = 0; i < 2; i++) {
    await (await t.post("/predict", { features: row }, admin)).body?.cancel();
  }
  await t.lifecycle.promote("v2", { keyId: "", reason: "" });
  await (await t.post("/predict", { features: row }, admin)).body?.cancel();
  const text = await (await t.app.request("/metrics", { headers: admin })).text();
  const sample = (name: string, version: string) => {
    const lines = text.split("\n").filter((l) =>
      l.startsWith(`${name}{`) && l.includes(`version="${version}"`)
    );
    return lines.reduce((s, l) => s + Number(l.split(" ").at(-1)), 0);
  };
  assert.equal(sample("model_infer_request_success_total", "fixture-0001"), 2);
  assert.equal(sample("model_infer_request_success_total", "v2"), 1);
  assert.equal(sample("predictions_total", "v2"), 1);
  assert.equal(sample("shadow_predictions_total", "v3"), 3);
  assert.equal(sample("shadow_predictions_total", "fixture-0001"), 0);
});

Deno.test("POST /models/reload loads a new directory; the new version can then shadow", async () => {
  await using t = await app();
  await writeVersion(join(t.modelsDir, "v5"), "v5");
  const reload = await json(
    await t.app.request("/models/reload", { method: "POST", headers: admin }),
  );
  assert.deepEqual(reload.loaded, ["v5"]);
  assert.deepEqual(reload.skipped.map((s: { dir: string }) => s.dir), [
    join(t.modelsDir, "broken"),
  ]);
  const res = await t.app.request("/models/v5/shadow", { method: "PUT", headers: admin });
  assert.deepEqual((await res.json()).shadows, ["v5"]);
});
