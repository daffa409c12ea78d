import assert from "node:assert/strict";
import { parseWrkOutput, runLoad, wrkArgs } from "./load.ts";

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

Deno.test("runLoad with fetch clients (the fallback without wrk): requests, errors, latency", async () => {
  let bodies = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if ((await req.text()) === "bad") return new Response("no", { status: 422 });
    bodies++;
    return new Response("ok");
  });
  const r = await runLoad("fetch", {
    url: `http://127.0.0.1:${server.addr.port}/predict`,
    method: "POST",
    bodies: ["a", "bad"],
    concurrency: 2,
    durationS: 0.2,
  }, "/nonexistent");
  await server.shutdown();
  assert.ok(r.requests > 10 && r.requests === bodies + r.errors, JSON.stringify(r));
  assert.ok(Math.abs(r.errors - r.requests / 2) <= 2, "every other body is refused");
  assert.ok(r.p50Ms > 0 && r.p99Ms >= r.p50Ms);
});
