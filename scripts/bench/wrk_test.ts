import { strict as assert } from "node:assert";
import { parseWrkReport, WRK_SCRIPT, wrkArgs } from "./wrk.ts";

Deno.test("wrkArgs: whole seconds, threads capped at connections, path and key after --", () => {
  const args = wrkArgs({
    url: "http://127.0.0.1:8123/predict?explain=1",
    concurrency: 1,
    durationS: 0.2,
    threads: 4,
    bodiesFile: "/tmp/b.jsonl",
    apiKey: "k",
  });
  assert.deepEqual(args, [
    "-c1",
    "-t1",
    "-d1s",
    "--timeout",
    "10s",
    "-s",
    WRK_SCRIPT,
    "http://127.0.0.1:8123",
    "--",
    "/tmp/b.jsonl",
    "/predict?explain=1",
    "POST",
    "k",
  ]);
  assert.deepEqual(
    wrkArgs({
      url: "http://127.0.0.1:1/p",
      concurrency: 32,
      durationS: 10,
      threads: 2,
      bodiesFile: "f",
      method: "GET",
    }).slice(-2),
    ["/p", "GET"],
  );
});

Deno.test("wrkArgs: a pause needs the (possibly empty) key argument before it", () => {
  const base = {
    url: "http://127.0.0.1:1/p",
    concurrency: 32,
    durationS: 5,
    threads: 1,
    bodiesFile: "f",
  };
  assert.deepEqual(wrkArgs({ ...base, delayMs: 31.6 }).slice(-4), ["/p", "POST", "", "32"]);
  assert.deepEqual(wrkArgs({ ...base, apiKey: "k", delayMs: 0.2 }).slice(-3), ["POST", "k", "1"]);
});

Deno.test("parseWrkReport converts the script's JSON line (µs) to a load result (ms)", () => {
  const stdout = [
    "Running 2s test @ http://127.0.0.1:1",
    "  1 threads and 8 connections",
    'WRK_JSON {"requests":5000,"duration_us":2000000,"bytes":1,' +
    '"errors":{"connect":1,"read":2,"write":0,"status":7,"timeout":3},' +
    '"latency_us":{"min":100,"mean":1500.5,"max":9000,"p50":1200,"p95":4000,"p99":8000}}',
  ].join("\n");
  const r = parseWrkReport(stdout, 8);
  assert.equal(r.generator, "wrk");
  assert.equal(r.requestsPerS, 2500);
  assert.equal(r.durationS, 2);
  assert.equal(r.statusErrors, 7);
  assert.equal(r.socketErrors, 6);
  assert.deepEqual(r.latencyMs, { min: 0.1, mean: 1.5005, max: 9, p50: 1.2, p95: 4, p99: 8 });
  assert.throws(() => parseWrkReport("Running 2s test", 8), /no WRK_JSON/);
});
