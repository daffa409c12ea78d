/**
 * Dev-only: onnxruntime-web (WASM, what the service uses) against
 * onnxruntime-node (native, N-API) on the same `artifacts/model.onnx`, in the
 * same process and run, interleaved: one row per run and `--batch`-row runs.
 * Prints the median time per run of each and the ratio, and checks both give
 * the same probabilities.
 *
 *   deno task ort:compare [--reps 300] [--batch 200] [--threads 1]
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
import { parseArgs } from "node:util";
import * as ortWeb from "onnxruntime-web";
import { join } from "node:path";
import { readCsvFile, tableToFeatures } from "../api/scoring/feature_csv.ts";
import { encodeRows } from "../api/scoring/feature_vector.ts";
import { intFlag } from "./bench/cli_common.ts";
import { median } from "./bench/latency_summary.ts";
import { fmt, markdownTable } from "./bench/report.ts";
import { readModelMeta } from "../api/scoring/model_meta.ts";
import { ORT_NODE_SPECIFIER } from "./lib/native_ort.ts";

type Ort = typeof ortWeb;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    reps: { type: "string" },
    batch: { type: "string" },
    threads: { type: "string" },
    artifacts: { type: "string" },
    csv: { type: "string" },
  },
});
const reps = intFlag("reps", values.reps, 300);
const batch = intFlag("batch", values.batch, 200);
const threads = intFlag("threads", values.threads, 1);
const artifactsDir = values.artifacts ?? "artifacts";

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

/** Runs both on the same inputs, alternating which goes first; medians in ms. */
async function compare(rowsPerRun: number): Promise<{ web: number; native: number }> {
  const slices = Array.from({ length: reps }, (_, i) => {
    const start = (i * rowsPerRun) % Math.max(1, rows.length - rowsPerRun);
    return matrix.slice(start * width, (start + rowsPerRun) * width);
  });
  for (const m of slices.slice(0, 20)) { // warm-up
    await run(web, m);
    await run(native, m);
  }
  const times = { web: [] as number[], native: [] as number[] };
  for (const [i, m] of slices.entries()) {
    const order = i % 2 ? [web, native] : [native, web];
    for (const rt of order) {
      const t0 = performance.now();
      await run(rt, m);
      (rt === web ? times.web : times.native).push(performance.now() - t0);
    }
  }
  return { web: median(times.web), native: median(times.native) };
}

const pw = await run(web, matrix);
const pn = await run(native, matrix);
let maxDiff = 0;
for (let i = 0; i < pw.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pw[i] - pn[i]));

const one = await compare(1);
const many = await compare(batch);
console.log(
  `\n## onnxruntime-web (WASM) vs onnxruntime-node (native), ${meta.model_version}, ` +
    `${threads} thread(s), median of ${reps} interleaved runs\n`,
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
