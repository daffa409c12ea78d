/**
 * `deno task bench model`: what the model costs, on test.csv, in process.
 *
 * - Reason codes: µs per explained row of TreeSHAP (`explainRows`, the
 *   path of `?explain=1`) next to scoring the same rows with ONNX, one by one
 *   and in `--batch`-row runs.
 * - Fewer trees: the bundled ensemble cut to its first k trees
 *   (`--trees 50,100,200,all`, written by the same codec as the shipped
 *   model): ROC AUC and Brier score against the time of a 1-row and a
 *   `--batch`-row ONNX run. (A float16 `TreeEnsemble` variant was measured
 *   once and dropped: onnxruntime-web refuses it; README's history.)
 *
 *   deno task bench model [--trees 50,100,200,all] [--reps 15] [--batch 200]
 *
 * @module
 */
import { brierScore, rocAuc } from "../../monitoring/classification_metrics.ts";
import { readCsvFile, tableToFeatures } from "../../api/scoring/feature_csv.ts";
import { loadModel } from "../../api/scoring/model.ts";
import { createOnnxScorer, type OnnxScorer } from "../../api/scoring/onnx_session.ts";
import { decodeEnsemble, encodeEnsemble } from "../../api/scoring/onnx_tree_codec.ts";
import { createExplainer } from "../../api/scoring/reason_codes.ts";
import { CREDIT_TEST_CSV } from "../lib/credit_rows.ts";
import { parseFlags, parseIntegerFlag, UsageError } from "../lib/flags.ts";
import { ROOT } from "../lib/service.ts";
import { labelsOf } from "../training/pipeline.ts";
import { fmt, markdownTable, type SuiteRun, timePerCall } from "./stats.ts";

/** The help text. */
export const USAGE = "deno task bench model [--trees 50,100,200,all] [--reps 15] [--batch 200]";

/** Runs the suite. */
export const run: SuiteRun = async (args, log) => {
  const v = parseFlags(args, {
    trees: { type: "string", default: "50,100,200,all" },
    reps: { type: "string", default: "15" },
    batch: { type: "string", default: "200" },
  });
  const reps = parseIntegerFlag("reps", v.reps, { min: 1, max: 1000 });
  const batch = parseIntegerFlag("batch", v.batch, { min: 2, max: 1000 });
  const model = await loadModel(`${ROOT}artifacts`);
  const { meta } = model;
  const table = await readCsvFile(CREDIT_TEST_CSV);
  const rows = tableToFeatures(table, meta.features);
  if (!meta.target) throw new UsageError("the bundled model has no target to evaluate");
  const labels = labelsOf(table.records, meta.target);
  const matrix = model.encoder.encode(rows);
  const width = model.encoder.width;
  if (batch > rows.length) {
    throw new UsageError(`--batch ${batch}: test.csv has ${rows.length} rows`);
  }
  const full = decodeEnsemble(model.onnxBytes);
  const counts = v.trees.split(",").map((t) =>
    t.trim() === "all" ? full.trees.length : parseIntegerFlag("trees", t.trim(), { min: 1 })
  );
  const slice = (i: number, n: number) => {
    const start = (i * n) % (rows.length - n + 1);
    return matrix.subarray(start * width, (start + n) * width);
  };
  const scorers: { trees: number; scorer: OnnxScorer }[] = [];
  try {
    log("model: reason codes …");
    const explainer = createExplainer(model);
    const reasons = await timePerCall({
      "TreeSHAP reason codes (explainRows), 1 row": (i) =>
        explainer.explainRows([rows[i % rows.length]]),
      "ONNX run, 1 row": (i) => model.scoreMatrix(slice(i, 1)),
      [`ONNX run, ${batch} rows (per row)`]: (i) => model.scoreMatrix(slice(i, batch)),
    }, { reps, n: 50 });
    reasons[`ONNX run, ${batch} rows (per row)`] /= batch;

    log("model: tree counts …");
    for (const k of counts) {
      const bytes = encodeEnsemble({ ...full, trees: full.trees.slice(0, k) });
      const scorer = await createOnnxScorer(bytes, {
        inputName: meta.onnx.input_name,
        outputName: meta.onnx.output_name,
        outputColumn: meta.onnx.output_column,
        nFeatures: width,
      });
      scorers.push({ trees: Math.min(k, full.trees.length), scorer });
    }
    const variants = await Promise.all(scorers.map(async ({ trees, scorer }) => {
      const scores = await scorer.score(matrix);
      return { trees, auc: rocAuc({ labels, scores }), brier: brierScore({ labels, scores }) };
    }));
    const timings = await timePerCall(
      Object.fromEntries(scorers.flatMap(({ trees, scorer }) => [
        [`${trees}/1`, (i: number) => scorer.score(slice(i, 1))],
        [`${trees}/${batch}`, (i: number) => scorer.score(slice(i, batch))],
      ])),
      { reps, n: 20 },
    );
    const treeRows = variants.map((x) => ({
      ...x,
      oneRowUs: timings[`${x.trees}/1`],
      usPerRowAtBatch: timings[`${x.trees}/${batch}`] / batch,
    }));
    const markdown = [
      `## model ${meta.model_version}: ${full.trees.length} trees, ${rows.length} test rows, ` +
      `median of ${reps} interleaved rounds`,
      "",
      markdownTable(
        ["reason codes and scoring", "µs per row"],
        Object.entries(reasons).map(([k, us]) => [k, fmt(us)]),
      ),
      "",
      markdownTable(
        ["trees", "ROC AUC", "Brier", "µs per 1-row run", `µs/row at ${batch} rows`],
        treeRows.map((x) => [
          String(x.trees),
          fmt(x.auc, 4),
          fmt(x.brier, 4),
          fmt(x.oneRowUs),
          fmt(x.usPerRowAtBatch),
        ]),
      ),
    ].join("\n");
    return {
      json: { settings: { reps, batch, trees: counts }, reason_codes_us: reasons, trees: treeRows },
      markdown,
    };
  } finally {
    for (const { scorer } of scorers) await scorer.release();
    await model.release();
  }
};
