import assert from "node:assert/strict";
import { FIXTURE_FEATURES, writeFixtureModel } from "../../api/testing/fixture_model.ts";
import { createFormParser, defaultFormValues } from "./score_form.ts";

const meta = await (async () => {
  const dir = await Deno.makeTempDir();
  try {
    return await writeFixtureModel(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
})();

Deno.test("defaults are the metadata medians and modes", () => {
  const values = defaultFormValues(meta);
  for (const f of FIXTURE_FEATURES) {
    assert.equal(values[f.name], f.type === "numeric" ? String(f.median) : f.mode);
  }
});

Deno.test("the default form parses into the features the API would accept", () => {
  const parsed = createFormParser(meta)(defaultFormValues(meta));
  assert.ok(parsed.ok);
  for (const f of FIXTURE_FEATURES) {
    assert.equal(parsed.features[f.name], f.type === "numeric" ? f.median : f.mode);
  }
});

Deno.test("empty fields are missing; bad numbers and unknown levels are field errors", () => {
  const parse = createFormParser(meta);
  const base = defaultFormValues(meta);
  const missing = parse({ ...base, Income: " ", Home: "" });
  assert.ok(missing.ok);
  assert.equal(missing.features.Income, null);
  assert.equal(missing.features.Home, null);

  const bad = parse({ ...base, Income: "12abc", Age: "1e400x" });
  assert.ok(!bad.ok);
  assert.deepEqual(Object.keys(bad.errors).sort(), ["Age", "Income"]);
  assert.equal(bad.values.Income, "12abc");

  const level = parse({ ...base, Home: "castle" });
  assert.ok(!level.ok);
  assert.match(level.errors.Home, /unknown level "castle"/);
});
