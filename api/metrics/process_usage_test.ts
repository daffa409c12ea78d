import assert from "node:assert/strict";
import { type CpuTime, createCpuSampler, createProcessSampler } from "./process_usage.ts";

/** A fake process: the test moves its CPU time and clock. */
function fakeProcess() {
  const state = { cpu: { user: 0, system: 0 } as CpuTime, at: 1000 };
  return { state, read: () => ({ ...state.cpu }), clock: () => state.at };
}

Deno.test("CPU share is CPU time over wall time since the previous sample", () => {
  const p = fakeProcess();
  const sample = createCpuSampler({ read: p.read, clock: p.clock });
  p.state.at += 2000;
  p.state.cpu = { user: 300_000, system: 200_000 };
  assert.equal(sample(), 25, "0.5 s of CPU over 2 s");
  p.state.at += 1000;
  p.state.cpu = { user: 1_300_000, system: 700_000 };
  assert.equal(sample(), 150, "1.5 s of CPU over 1 s: more than one core");
  assert.equal(sample(), 0, "no wall time elapsed");
});

Deno.test("samples closer than minIntervalMs repeat the previous value", () => {
  const p = fakeProcess();
  const sample = createCpuSampler({ read: p.read, clock: p.clock, minIntervalMs: 1000 });
  p.state.at += 1000;
  p.state.cpu = { user: 100_000, system: 0 };
  assert.equal(sample(), 10);
  p.state.at += 10;
  p.state.cpu = { user: 110_000, system: 0 };
  assert.equal(sample(), 10, "too soon: previous value");
  p.state.at += 990;
  p.state.cpu = { user: 300_000, system: 0 };
  assert.equal(sample(), 20, "measured from the previous real sample");
});

Deno.test("the process sampler reports memory and CPU of this process", () => {
  const sample = createProcessSampler();
  const usage = sample();
  assert.ok(usage.rssBytes > 0);
  assert.ok(usage.heapUsedBytes > 0 && usage.heapUsedBytes < usage.rssBytes);
  assert.ok(usage.cpuPercent >= 0);
  const fixed = createProcessSampler({ memory: () => ({ rss: 5, heapUsed: 3 }) })();
  assert.equal(fixed.rssBytes, 5);
  assert.equal(fixed.heapUsedBytes, 3);
});
