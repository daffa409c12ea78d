import { strict as assert } from "node:assert";
import { intFlag, localBaseUrl, UsageError } from "./cli_common.ts";

Deno.test("intFlag: default when absent, whole numbers ≥ min, a UsageError otherwise", () => {
  assert.equal(intFlag("n", undefined, 50), 50);
  assert.equal(intFlag("n", "7", 50), 7);
  assert.equal(intFlag("duration", "0", 10, 0), 0);
  assert.throws(() => intFlag("n", "0", 50), UsageError);
  assert.throws(() => intFlag("n", "1.5", 50), /--n must be a whole number/);
  assert.throws(() => intFlag("n", "-3", 50), UsageError);
});

Deno.test("localBaseUrl accepts only http://127.0.0.1 origins", () => {
  assert.equal(localBaseUrl("http://127.0.0.1:8000"), "http://127.0.0.1:8000");
  assert.equal(localBaseUrl("http://127.0.0.1:8000/"), "http://127.0.0.1:8000");
  assert.throws(() => localBaseUrl("http://example.com:8000"), /traffic stays local/);
  assert.throws(() => localBaseUrl("https://127.0.0.1:8000"), UsageError);
  assert.throws(() => localBaseUrl("http://127.0.0.1:8000/predict"), /without a path/);
  assert.throws(() => localBaseUrl("nope"), /not a URL/);
});
