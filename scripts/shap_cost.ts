/**
 * Measures the cost of reason codes (TreeSHAP) per explained row on the real
 * model, next to the cost of scoring the same rows, in the same run (the
 * machine is noisy: compare the ratios, not the absolute times).
 *
 *   deno run --allow-read=. scripts/shap_cost.ts [--artifacts artifacts]
 *     [--csv data/credit_data/test.csv] [--reps 7]
 *
 * Prints: model size, start-up cost of the explainer, per-row cost of
 * TreeSHAP, of the plain tree walk (`predictLogOdds`) and of ONNX batch
 * scoring (onnxruntime-web), each the median over `reps` passes over all
 * rows, and the largest additivity error |base + Σφ − log-odds|.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readCsvFile, tableToFeatures } from "../api/scoring/feature_csv.ts";
import { encodeRows } from "../api/scoring/feature_vector.ts";
import { loadModel } from "../api/scoring/model.ts";
import { createExplainer } from "../api/scoring/reason_codes.ts";
import { decodeEnsemble } from "../api/scoring/onnx_tree_codec.ts";
import { predictLogOdds } from "../api/scoring/tree_ensemble.ts";
import { createTreeShap } from "../api/scoring/tree_shap.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    artifacts: { type: "string", default: "artifacts" },
    csv: { type: "string", default: "data/credit_data/test.csv" },
    reps: { type: "string", default: "7" },
  },
});
const reps = Number(args.reps);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median wall time (ms) of `reps` runs of `fn`, after one warm-up run. */
async function timeIt(fn: () => unknown): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const model = await loadModel(args.artifacts);
const { meta } = model;
const rows = tableToFeatures(await readCsvFile(args.csv), meta.features);
const matrix = encodeRows(meta.features, rows);
const width = meta.features.length;
const n = rows.length;

const t0 = performance.now();
const ensemble = decodeEnsemble(model.onnxBytes);
const shap = createTreeShap(ensemble);
const startupMs = performance.now() - t0;
const explainer = createExplainer(model);
const nodes = ensemble.trees.reduce((s, t) => s + t.feature.length, 0);
const leaves = ensemble.trees.reduce((s, t) => s + t.feature.filter((f) => f < 0).length, 0);

const out = new Float64Array(width);
const shapMs = await timeIt(() => {
  for (let r = 0; r < n; r++) shap.explainRow(matrix.subarray(r * width, (r + 1) * width), out);
});
const explainMs = await timeIt(() => explainer.explainMatrix(matrix));
const walkMs = await timeIt(() => {
  let s = 0;
  for (let r = 0; r < n; r++) {
    s += predictLogOdds(ensemble, matrix.subarray(r * width, (r + 1) * width));
  }
  return s;
});
const onnxMs = await timeIt(() => model.scoreMatrix(matrix));

let worst = 0;
const all = shap.explainMatrix(matrix);
for (let r = 0; r < n; r++) {
  let sum = shap.expectedValue;
  for (let j = 0; j < width; j++) sum += all[r * width + j];
  worst = Math.max(
    worst,
    Math.abs(sum - predictLogOdds(ensemble, matrix.subarray(r * width, (r + 1) * width))),
  );
}
await model.release();

const us = (ms: number) => `${((1000 * ms) / n).toFixed(2)} µs/row`;
console.log(
  `model ${meta.model_version}: ${ensemble.trees.length} trees, ${nodes} nodes, ${leaves} leaves`,
);
console.log(`rows: ${n} from ${args.csv}; median of ${reps} passes`);
console.log(`explainer start-up (decode ONNX + compile): ${startupMs.toFixed(1)} ms`);
console.log(`TreeSHAP explainRow:                ${us(shapMs)}`);
console.log(`explainMatrix (+ reason codes):     ${us(explainMs)}`);
console.log(
  `tree walk predictLogOdds:           ${us(walkMs)}  (TreeSHAP/walk ${
    (shapMs / walkMs).toFixed(1)
  }×)`,
);
console.log(
  `ONNX batch scoreMatrix:             ${us(onnxMs)}  (TreeSHAP/ONNX ${
    (shapMs / onnxMs).toFixed(1)
  }×)`,
);
console.log(`largest |base + Σφ − log-odds|:     ${worst.toExponential(2)}`);
