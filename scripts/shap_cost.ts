/**
 * `deno task shap-cost`: measures the cost of reason codes per explained row
 * with the model's own explainer (TreeSHAP, linear, or sampling Shapley
 * values), next to the cost of scoring the same rows, in the same run (the
 * machine is noisy: compare the ratios, not the absolute times).
 *
 *   deno task shap-cost [--artifacts artifacts] [--csv FILE] [--rows 500] [--reps 7]
 *
 * Rows come from `--csv`, by default the model's reference sample. Prints
 * the method, the start-up cost of the explainer, the median time per
 * explained row over `reps` passes, the ONNX batch scoring time per row, and
 * the largest additivity error |base + Σ contributions − link(served)|.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readCsvFile, tableToFeatures } from "../api/scoring/feature_csv.ts";
import { loadModel } from "../api/scoring/model.ts";
import { createExplainer, describeReasonMethod } from "../api/scoring/reason_codes.ts";
import { toUnits } from "../api/scoring/sampling_shapley.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    artifacts: { type: "string", default: "artifacts" },
    csv: { type: "string" },
    rows: { type: "string", default: "500" },
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
const csv = args.csv ?? model.referencePath;
const rows = tableToFeatures(await readCsvFile(csv), meta.features).slice(0, Number(args.rows));
const n = rows.length;
const matrix = model.encoder.encode(rows);

const t0 = performance.now();
const explainer = createExplainer(model);
const startupMs = performance.now() - t0;
console.log(`model ${meta.model_version} (${meta.name}): ${describeReasonMethod(meta.reasons)}`);
console.log(`rows: ${n} from ${csv}; median of ${reps} passes`);
if (explainer.unavailable !== null) {
  console.log(`no reason codes: ${explainer.unavailable}`);
} else {
  const explainMs = await timeIt(() => explainer.explainRows(rows));
  const onnxMs = await timeIt(() => model.scoreMatrix(matrix));
  const served = await model.scoreMatrix(matrix);
  const explanations = await explainer.explainRows(rows);
  let worst = 0;
  explanations.forEach((e, r) => {
    const sum = Object.values(e.contributions).reduce((s, c) => s + c, e.base_value);
    worst = Math.max(worst, Math.abs(sum - toUnits(explainer.units ?? "log_odds", served[r])));
  });
  const us = (ms: number) => `${((1000 * ms) / n).toFixed(2)} µs/row`;
  console.log(`explainer start-up:                 ${startupMs.toFixed(1)} ms`);
  console.log(`explainRows (reason codes):         ${us(explainMs)}`);
  console.log(
    `ONNX batch scoreMatrix:             ${us(onnxMs)}  (explain/score ${
      (explainMs / onnxMs).toFixed(1)
    }×)`,
  );
  console.log(`largest |base + Σφ − link(served)|: ${worst.toExponential(2)}`);
}
await model.release();
