/**
 * Dev-only: onnxruntime-web (WASM, what the service uses) against
 * onnxruntime-node (native, N-API) on the same `artifacts/model.onnx`, in the
 * same process and run, interleaved: one row per run and `--batch`-row runs.
 * Prints the median time per run of each and the ratio, and checks both give
 * the same probabilities.
 *
 *   deno task ort:compare [--reps 15] [--batch 200] [--threads 1]
 *
 * onnxruntime-node is not a project dependency: it is imported here by a
 * computed `npm:` specifier, so `deno install`, `deno check` and deno.lock
 * never see it; the task runs with `--no-lock` (the lockfile stays as it is)
 * and Deno fetches the package into node_modules on first use, without
 * running its install script (which would download GPU binaries from an
 * unreachable host; the CPU library ships in the package).
 *
 * @module
 */
import * as ortWeb from "onnxruntime-web";
import { readCsvFile, tableToFeatures } from "../../api/scoring/feature_csv.ts";
import { encodeRows } from "../../api/scoring/feature_vector.ts";
import { readModelMeta } from "../../api/scoring/model_meta.ts";
import { parseFlags, parseIntegerFlag } from "../lib/flags.ts";
import { fmt, markdownTable, timePerCall } from "./stats.ts";

import { ORT_NODE_SPECIFIER } from "../lib/native_ort.ts";
import { join } from "node:path";

type Ort = typeof ortWeb;

const values = parseFlags(Deno.args, {
  reps: { type: "string", default: "15" },
  batch: { type: "string", default: "200" },
  threads: { type: "string", default: "1" },
  artifacts: { type: "string", default: "artifacts" },
  csv: { type: "string", default: "data/credit_data/test.csv" },
});
const reps = parseIntegerFlag("reps", values.reps, { min: 1 });
const batch = parseIntegerFlag("batch", values.batch, { min: 1 });
const threads = parseIntegerFlag("threads", values.threads, { min: 1, max: 64 });
const artifactsDir = values.artifacts;

const meta = await readModelMeta(artifactsDir);
const bytes = await Deno.readFile(`${artifactsDir}/${meta.onnx.file}`);
const rows = tableToFeatures(
  await readCsvFile(values.csv ?? join(artifactsDir, meta.reference.file)),
  meta.features,
);
const width = meta.columns.length;
const matrix = encodeRows(meta, rows);

ortWeb.env.wasm.numThreads = threads;
ortWeb.env.logLevel = "error";
const ortNode = (await import(ORT_NODE_SPECIFIER)) as Ort;

async function session(ort: Ort, options: Record<string, unknown>) {
  const t0 = performance.now();
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all", ...options });
  return { ort, s, loadMs: performance.now() - t0 };
}
const web = await session(ortWeb, { executionProviders: ["wasm"] });
const native = await session(ortNode, {
  executionProviders: ["cpu"],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
});

async function run(
  rt: { ort: Ort; s: ortWeb.InferenceSession },
  m: Float32Array,
): Promise<Float32Array> {
  const n = m.length / width;
  const out = await rt.s.run({
    [meta.onnx.input_name]: new rt.ort.Tensor("float32", m, [n, width]),
  });
  return out[meta.onnx.output_name].data as Float32Array;
}

/** Both runtimes on the same slices, taking turns (`timePerCall`); median ms per run. */
async function compare(rowsPerRun: number): Promise<{ web: number; native: number }> {
  const slices = Array.from({ length: 20 }, (_, i) => {
    const start = (i * rowsPerRun) % Math.max(1, rows.length - rowsPerRun);
    return matrix.slice(start * width, (start + rowsPerRun) * width);
  });
  const us = await timePerCall({
    web: (i) => run(web, slices[i % slices.length]),
    native: (i) => run(native, slices[i % slices.length]),
  }, { reps, n: slices.length });
  return { web: us.web / 1000, native: us.native / 1000 };
}

const pw = await run(web, matrix);
const pn = await run(native, matrix);
let maxDiff = 0;
for (let i = 0; i < pw.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pw[i] - pn[i]));

const one = await compare(1);
const many = await compare(batch);
console.log(
  `\n## onnxruntime-web (WASM) vs onnxruntime-node (native), ${meta.model_version}, ` +
    `${threads} thread(s), median of ${reps} interleaved rounds of 20 runs\n`,
);
console.log(markdownTable(
  ["rows per run", "web ms", "native ms", "web ÷ native", "web µs/row", "native µs/row"],
  [
    [
      String(1),
      fmt(one.web),
      fmt(one.native),
      fmt(one.web / one.native),
      fmt(one.web * 1000),
      fmt(one.native * 1000),
    ],
    [
      String(batch),
      fmt(many.web),
      fmt(many.native),
      fmt(many.web / many.native),
      fmt((many.web * 1000) / batch),
      fmt((many.native * 1000) / batch),
    ],
  ],
));
console.log(
  `\nsession create: web ${fmt(web.loadMs)} ms (after WASM start-up), native ${
    fmt(native.loadMs)
  } ms; ` +
    `max |p_web − p_native| over ${rows.length} rows: ${maxDiff.toExponential(2)}`,
);
await web.s.release();
await native.s.release();
