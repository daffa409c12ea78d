/**
 * Runs every bench suite at minimal settings, so that none can rot unseen:
 * real services, real load (wrk when installed, else fetch), real profile,
 * real model and store. Needs --allow-run=deno (and wrk, /usr/bin/time when
 * present), --allow-net=127.0.0.1, read/write of /tmp.
 */
import assert from "node:assert/strict";
import { runSuite, SUITES } from "./mod.ts";

const MINIMAL: Record<string, string[]> = {
  http: [
    "--rounds",
    "1",
    "--duration",
    "1",
    "--concurrency",
    "4",
    "--batch-size",
    "5",
    "--half-rate",
  ],
  profile: ["--duration", "1", "--concurrency", "4", "--top", "5"],
  pieces: ["--reps", "1", "--iterations", "4", "--batch", "10"],
  ids: ["--rows", "200", "--group", "8", "--reps", "1"],
  inprocess: ["--against", ".", "--rounds", "1", "--seconds", "0.1", "--concurrency", "4"],
  model: ["--reps", "1", "--trees", "10,all", "--batch", "10"],
  scale: ["--rows", "300", "--repeat", "1"],
  comparison: ["--rows", "300", "--repeat", "1"],
};

Deno.test("every suite has a minimal run here", () => {
  assert.deepEqual(Object.keys(MINIMAL).sort(), Object.keys(SUITES).sort());
});

for (const [name, args] of Object.entries(MINIMAL)) {
  Deno.test(`deno task bench ${name} runs at minimal settings`, async () => {
    const outDir = await Deno.makeTempDir({ prefix: "scorewatch_bench_test_" });
    const { markdown, file } = await runSuite(name, args, { outDir, log: () => {} });
    const json = JSON.parse(await Deno.readTextFile(file));
    await Deno.remove(outDir, { recursive: true });
    assert.equal(json.suite, name);
    assert.match(markdown, /^## /);
    assert.ok(!/\| NaN|undefined/.test(markdown), markdown);
    if (name === "http") {
      for (const variant of ["get-hello", "post-hello", "minimal", "predict", "batch", "explain"]) {
        const s = json.variants[variant].summary;
        assert.ok(s.requestsPerS > 0 && s.errors === 0, `${variant}: ${JSON.stringify(s)}`);
        assert.ok(s.cpuUsPerRequest > 0, `${variant}: CPU per request`);
      }
      assert.ok(json.variants.predict.summary.serverP50Ms > 0, "server latency from /metrics");
      assert.ok(json.variants.predict.paced.requestsPerS > 0, "paced run");
      assert.deepEqual(json.service_exit_codes, [0], "clean shutdown");
    }
    if (name === "profile") {
      assert.ok(json.stages.scoring.ms > 0 && json.stages.commit.ms > 0, markdown);
      assert.equal(json.service_exit_code, 0);
    }
  });
}

Deno.test("deno task bench http measures the service with one shadow beside it", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "scorewatch_bench_test_" });
  const args = ["--variants", "predict,predict-shadow1", "--rounds", "1", "--duration", "1"];
  const { file } = await runSuite("http", [...args, "--concurrency", "4"], {
    outDir,
    log: () => {},
  });
  const json = JSON.parse(await Deno.readTextFile(file));
  await Deno.remove(outDir, { recursive: true });
  for (const variant of ["predict", "predict-shadow1"]) {
    const s = json.variants[variant].summary;
    assert.ok(s.requestsPerS > 0 && s.errors === 0, `${variant}: ${JSON.stringify(s)}`);
  }
  assert.deepEqual(json.service_exit_codes, [0, 0], "clean shutdown of both services");
});
