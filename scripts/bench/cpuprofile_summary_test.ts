import { strict as assert } from "node:assert";
import {
  type CpuProfile,
  packageOf,
  shortFile,
  summariseCpuProfile,
} from "./cpuprofile_summary.ts";

const ROOT = "file:///repo";
const frame = (functionName: string, url = "", lineNumber = -1) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

// (root) → handle (api/app.ts:10) → parse (zod) ; handle → handle (recursion) → parse
//        → (idle) ; (program) ; (garbage collector)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 5, 6, 7] },
    { id: 2, callFrame: frame("handle", `${ROOT}/api/app.ts`, 9), children: [3, 4] },
    {
      id: 3,
      callFrame: frame(
        "parse",
        `${ROOT}/node_modules/.deno/zod@4.6.7/node_modules/zod/v4/core.js`,
        0,
      ),
    },
    { id: 4, callFrame: frame("handle", `${ROOT}/api/app.ts`, 9), children: [8] },
    { id: 5, callFrame: frame("(idle)") },
    { id: 6, callFrame: frame("(program)") },
    { id: 7, callFrame: frame("(garbage collector)") },
    {
      id: 8,
      callFrame: frame(
        "parse",
        `${ROOT}/node_modules/.deno/zod@4.6.7/node_modules/zod/v4/core.js`,
        0,
      ),
    },
  ],
  startTime: 0,
  endTime: 10_000,
  // sample node ids; every gap is 1 ms, so each sample lasts 1 ms
  samples: [2, 3, 3, 8, 5, 5, 6, 7, 4, 3],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
};

Deno.test("summariseCpuProfile: self and inclusive time, idle excluded from busy time", () => {
  const s = summariseCpuProfile(profile, { root: ROOT });
  assert.equal(s.samples, 10);
  assert.equal(s.idleMs, 2);
  assert.equal(s.busyMs, 8);
  assert.equal(s.programMs, 1);
  assert.equal(s.gcMs, 1);
  const fn = new Map(s.functions.map((f) => [f.key, f]));
  const parse = fn.get("parse (zod/v4/core.js:1)")!;
  const handle = fn.get("handle (api/app.ts:10)")!;
  assert.equal(parse.selfMs, 4); // samples on nodes 3, 3, 8, 3
  assert.equal(handle.selfMs, 2); // nodes 2 and 4
  // handle is on the stack of 6 samples; the recursive stack (2 → 4 → 8) counts once
  assert.equal(handle.totalMs, 6);
  assert.equal(parse.totalMs, 4);
  assert.equal(parse.selfPct, 50);
  assert.equal(s.functions[0].key, parse.key);
});

Deno.test("summariseCpuProfile skips the samples of the first skipMs", () => {
  // sample i is taken at i ms (deltas 0, 1000, …): skipping 4 ms drops samples 0–3
  const s = summariseCpuProfile(profile, { root: ROOT, skipMs: 4 });
  assert.equal(s.samples, 6);
  assert.equal(s.idleMs, 2);
  const fn = new Map(s.functions.map((f) => [f.key, f]));
  assert.equal(fn.get("parse (zod/v4/core.js:1)")!.selfMs, 1);
  assert.equal(fn.get("handle (api/app.ts:10)")!.selfMs, 1);
});

Deno.test("summariseCpuProfile groups self time by file and by package", () => {
  const s = summariseCpuProfile(profile, { root: ROOT });
  const pkg = new Map(s.packages.map((p) => [p.key, p.selfMs]));
  assert.equal(pkg.get("npm:zod"), 4);
  assert.equal(pkg.get("api"), 2);
  assert.equal(pkg.get("(program)"), 1);
  const files = new Map(s.files.map((f) => [f.key, f.selfMs]));
  assert.equal(files.get("api/app.ts"), 2);
  assert.equal(files.get("zod/v4/core.js"), 4);
  const sum = s.packages.reduce((a, p) => a + p.selfMs, 0);
  assert.equal(sum, s.busyMs);
});

Deno.test("summariseCpuProfile without samples spreads the span over hit counts", () => {
  const s = summariseCpuProfile({
    nodes: [
      { id: 1, callFrame: frame("(root)"), children: [2, 3] },
      { id: 2, callFrame: frame("f", `${ROOT}/a.ts`, 0), hitCount: 3 },
      { id: 3, callFrame: frame("(idle)"), hitCount: 1 },
    ],
    startTime: 0,
    endTime: 4000,
  });
  assert.equal(s.busyMs, 3);
  assert.equal(s.idleMs, 1);
});

Deno.test("packageOf and shortFile name npm packages, runtime code and project dirs", () => {
  const npm =
    "file:///r/node_modules/.deno/@hono+zod-openapi@1.6.3/node_modules/@hono/zod-openapi/dist/index.js";
  assert.equal(packageOf(npm), "npm:@hono/zod-openapi");
  assert.equal(shortFile(npm), "@hono/zod-openapi/dist/index.js");
  assert.equal(packageOf("ext:deno_http/00_serve.ts"), "deno:deno_http");
  assert.equal(packageOf("node:internal/timers"), "node:internal");
  assert.equal(packageOf("wasm://wasm/0123"), "wasm");
  assert.equal(
    packageOf("file:///r/api/middleware/request_stats/index.ts", "file:///r"),
    "api/middleware/request_stats",
  );
  assert.equal(shortFile("file:///r/api/app.ts", "file:///r"), "api/app.ts");
  assert.equal(packageOf(""), "(v8)");
});
