/**
 * Model variants against accuracy and scoring speed, on test.csv, in one run:
 * the bundled ensemble cut to its first k trees (`--trees 50,100,200,all`,
 * written with the same codec as the bundled model), and the full ensemble
 * with the newer `ai.onnx.ml.TreeEnsemble` operator (ml opset 5) in float32
 * and float16 (split values, leaves, input and output; the only reduced
 * precision ONNX allows for tree ensembles: onnxruntime's quantisation tools
 * cover MatMul/Conv-style operators, not trees). A variant onnxruntime-web
 * refuses is listed with its error.
 *
 *   deno task model-variants [--trees 50,100,200,all] [--reps 200] [--batch 200]
 *
 * Columns: trees, ROC AUC and Brier score on test.csv, median ms of a 1-row
 * ONNX run, µs per row of a `--batch`-row run (interleaved over variants).
 *
 * @module
 */
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-web";
import { brierScore, rocAuc } from "../monitoring/classification_metrics.ts";
import { readCsvFile, tableToFeatures } from "../api/scoring/feature_csv.ts";
import { encodeRows } from "../api/scoring/feature_vector.ts";
import { decodeEnsemble, encodeEnsemble, ONNX_IO } from "../api/scoring/onnx_tree_codec.ts";
import { labelsOf } from "./training/pipeline.ts";
import { intFlag, UsageError } from "./bench/cli_common.ts";
import { median } from "./bench/latency_summary.ts";
import { fmt, markdownTable } from "./bench/report.ts";
import {
  encodeEnsembleV5,
  toFloat16Bits,
  truncateEnsemble,
  type V5Precision,
} from "./bench/tree_ensemble_v5.ts";
import { readModelMeta } from "../api/scoring/model_meta.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    trees: { type: "string" },
    reps: { type: "string" },
    batch: { type: "string" },
    artifacts: { type: "string" },
    csv: { type: "string" },
  },
});
const reps = intFlag("reps", values.reps, 200);
const batch = intFlag("batch", values.batch, 200);
const artifactsDir = values.artifacts ?? "artifacts";

const meta = await readModelMeta(artifactsDir);
const full = decodeEnsemble(await Deno.readFile(`${artifactsDir}/${meta.onnx.file}`));
const treeCounts = (values.trees ?? "50,100,200,all").split(",").map((t) =>
  t.trim() === "all" ? full.trees.length : intFlag("trees", t.trim(), 0)
);
const table = await readCsvFile(values.csv ?? "data/credit_data/test.csv");
if (!meta.target) throw new UsageError(`${artifactsDir}: the model has no target to evaluate`);
const labels = labelsOf(table.records, meta.target);
const matrix = encodeRows(meta, tableToFeatures(table, meta.features));
const width = meta.columns.length;
const nRows = labels.length;
if (batch > nRows) throw new UsageError(`--batch ${batch} is larger than the ${nRows} test rows`);

interface Variant {
  name: string;
  trees: number;
  precision: V5Precision;
  bytes: Uint8Array;
}
const variants: Variant[] = [
  ...treeCounts.map((k) => ({
    name: `TreeEnsembleRegressor, first ${k} trees`,
    trees: Math.min(k, full.trees.length),
    precision: "float32" as const,
    bytes: encodeEnsemble(truncateEnsemble(full, k)),
  })),
  ...(["float32", "float16"] as const).map((precision) => ({
    name: `TreeEnsemble (ml opset 5), ${precision}`,
    trees: full.trees.length,
    precision,
    bytes: encodeEnsembleV5(full, precision),
  })),
];

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";

/** Scores a float32 matrix with a session of the given precision; probabilities as numbers. */
async function score(s: ort.InferenceSession, precision: V5Precision, m: Float32Array) {
  const n = m.length / width;
  const input = precision === "float32"
    ? new ort.Tensor("float32", m, [n, width])
    : new ort.Tensor("float16", toFloat16Bits(m), [n, width]);
  const out = (await s.run({ [ONNX_IO.input]: input }))[ONNX_IO.proba];
  const data = out.data as ArrayLike<number>;
  return precision === "float32" ? Float64Array.from(data) : Float64Array.from(
    new (globalThis as unknown as { Float16Array: new (b: ArrayBufferLike) => ArrayLike<number> })
      .Float16Array((data as Uint16Array).slice().buffer),
  );
}

interface Result {
  variant: Variant;
  session?: ort.InferenceSession;
  error?: string;
  auc?: number;
  brier?: number;
  oneRowMs: number[];
  batchMs: number[];
}
const results: Result[] = [];
for (const variant of variants) {
  const r: Result = { variant, oneRowMs: [], batchMs: [] };
  try {
    r.session = await ort.InferenceSession.create(variant.bytes, {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
    });
    const p = await score(r.session, variant.precision, matrix);
    r.auc = rocAuc({ labels, scores: p });
    r.brier = brierScore({ labels, scores: p });
  } catch (err) {
    r.error = String((err as Error).message ?? err).split("\n")[0];
  }
  results.push(r);
}

// Interleaved timing: each rep times every working variant on the same slice.
const working = results.filter((r) => r.session);
for (let i = 0; i < reps + 10; i++) {
  const row = (i * 7) % nRows;
  const one = matrix.slice(row * width, (row + 1) * width);
  const start = (i * batch) % (nRows - batch + 1);
  const many = matrix.slice(start * width, (start + batch) * width);
  for (const r of working) {
    let t0 = performance.now();
    await score(r.session!, r.variant.precision, one);
    const a = performance.now() - t0;
    t0 = performance.now();
    await score(r.session!, r.variant.precision, many);
    const b = performance.now() - t0;
    if (i >= 10) { // the first 10 reps warm up
      r.oneRowMs.push(a);
      r.batchMs.push(b);
    }
  }
}

const reference = results.find((r) => r.variant.trees === full.trees.length && r.session);
console.log(
  `\n## Model variants on ${nRows} test rows (${meta.model_version}: ${full.trees.length} trees; ` +
    `bundled test AUC ${meta.metrics.test?.roc_auc}, Brier ${meta.metrics.test?.brier}); ` +
    `onnxruntime-web, 1 thread, median of ${reps} interleaved runs\n`,
);
console.log(markdownTable(
  ["variant", "trees", "AUC", "Brier", "ms per 1 row", `µs/row at ${batch} rows`, "× full (batch)"],
  results.map((r) => {
    if (r.error) {
      return [r.variant.name, String(r.variant.trees), "refused", "–", "–", "–", r.error];
    }
    const perRow = (median(r.batchMs) * 1000) / batch;
    const ref = reference ? (median(reference.batchMs) * 1000) / batch : NaN;
    return [
      r.variant.name,
      String(r.variant.trees),
      fmt(r.auc, 4),
      fmt(r.brier, 4),
      fmt(median(r.oneRowMs)),
      fmt(perRow),
      fmt(perRow / ref),
    ];
  }),
));
for (const r of working) await r.session!.release();
