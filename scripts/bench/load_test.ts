import assert from "node:assert/strict";
import { parseWrkOutput, wrkArgs } from "./load.ts";

Deno.test("wrkArgs: one thread, whole seconds, path, method, key and pause after --", () => {
  const args = wrkArgs({
    url: "http://127.0.0.1:8123/predict?explain=1",
    method: "POST",
    bodies: [],
    concurrency: 8,
    durationS: 0.2,
    apiKey: "k",
    delayMs: 6.4,
  }, "/tmp/b.jsonl");
  assert.deepEqual(args.slice(0, 3), ["-c8", "-t1", "-d1s"]);
  assert.match(args[6], /wrk_load\.lua$/);
  assert.deepEqual(args.slice(7), [
    "http://127.0.0.1:8123",
    "--",
    "/tmp/b.jsonl",
    "/predict?explain=1",
    "POST",
    "k",
    "6",
  ]);
});

Deno.test("parseWrkOutput reads the script's JSON line (µs → ms, errors summed)", () => {
  const r = parseWrkOutput(
    "Running 2s test @ http://127.0.0.1:1\n" +
      'WRK_JSON {"requests":5000,"duration_us":2000000,"errors":3,"status_errors":7,' +
      '"p50_us":1200,"p99_us":8000}\n',
  );
  assert.deepEqual(r, {
    requests: 5000,
    durationS: 2,
    requestsPerS: 2500,
    errors: 10,
    p50Ms: 1.2,
    p99Ms: 8,
  });
  assert.throws(() => parseWrkOutput("Running 2s test"), /no WRK_JSON/);
});
