import assert from "node:assert/strict";
import { classifyProfile, type CpuProfile } from "./profile.ts";

const ROOT = "file:///repo/";
const NPM = `${ROOT}node_modules/.deno`;
const frame = (functionName: string, url = "", lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

// (root) ─ dispatch (hono) ─ handler (api/routes/predict.ts) ─┬ parse (zod)
//                                                             ├ append (api/store) ─ exec (builtin)
//                                                             ├ run (onnxruntime-web) ─ wasm
//                                                             └ json (hono context) ─ stringify (builtin)
//        ├ (garbage collector)  ├ (program)  ├ (idle)  └ f (some other file)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 10, 11, 12, 13] },
    {
      id: 2,
      callFrame: frame("dispatch", `${NPM}/hono@4/node_modules/hono/dist/compose.js`),
      children: [3],
    },
    {
      id: 3,
      callFrame: frame("handler", `${ROOT}api/routes/predict.ts`, 9),
      children: [4, 5, 7, 9],
    },
    { id: 4, callFrame: frame("parse", `${NPM}/zod@4/node_modules/zod/v4/core/schemas.js`) },
    { id: 5, callFrame: frame("append", `${ROOT}api/store/group_commit.ts`), children: [6] },
    { id: 6, callFrame: frame("exec") },
    {
      id: 7,
      callFrame: frame("run", `${ROOT}node_modules/onnxruntime-web/dist/ort.mjs`),
      children: [8],
    },
    { id: 8, callFrame: frame("wasm-function[1]", "wasm://wasm/0123") },
    {
      id: 9,
      callFrame: frame("json", `${NPM}/hono@4/node_modules/hono/dist/context.js`),
      children: [14],
    },
    { id: 10, callFrame: frame("(garbage collector)") },
    { id: 11, callFrame: frame("(program)") },
    { id: 12, callFrame: frame("(idle)") },
    { id: 13, callFrame: frame("f", `${ROOT}elsewhere.ts`) },
    { id: 14, callFrame: frame("stringify") },
  ],
  startTime: 0,
  endTime: 12_000,
  // One sample a millisecond; the last sample has no successor and lasts 0.
  samples: [2, 3, 4, 6, 6, 8, 14, 10, 11, 12, 13, 2],
  timeDeltas: Array(12).fill(1000),
};

Deno.test("classifyProfile: each sample goes to the stage of its innermost frame with a URL", () => {
  const b = classifyProfile(profile, { fromMs: 0, toMs: 100, root: ROOT });
  assert.deepEqual(b.stages, {
    scoring: 1, // the wasm frame
    commit: 2, // node:sqlite's exec (no URL) counts for the store that called it
    validation: 1,
    response: 1, // JSON.stringify under Hono's c.json
    http: 2, // compose.js and the route handler
    gc: 1,
    native: 1,
    other: 1,
  });
  assert.equal(b.idleMs, 1);
  assert.equal(b.busyMs, 10);
  assert.deepEqual(b.functions[0], {
    fn: "exec (from api/store/group_commit.ts)",
    stage: "commit",
    selfMs: 2,
  });
  assert.ok(b.functions.some((f) => f.fn === "handler (api/routes/predict.ts:10)"));
});

Deno.test("classifyProfile keeps only the samples of the load window", () => {
  // Samples are taken at 1, 2, … 12 ms: the window [3, 5] holds three of them.
  const b = classifyProfile(profile, { fromMs: 3, toMs: 5, root: ROOT });
  assert.equal(b.busyMs, 3);
  assert.equal(b.stages.validation + b.stages.commit, 3);
});
