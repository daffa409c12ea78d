/**
 * `deno task import-model`: serve a credit model trained anywhere. A model
 * file (ONNX, or XGBoost's JSON) plus a data sample become one artifacts
 * directory that `ARTIFACTS_DIR=DIR deno task start` serves with validation,
 * OpenAPI, reason codes, the site, drift, performance, score-file and
 * simulate. The work is done by `import/run_import.ts`; this file parses the
 * command line and prints the summary. Exit codes: 0 imported, 1 error,
 * 2 bad usage, 3 refused (a model the service cannot serve; the message says
 * what was found).
 *
 * @module
 */
import { loadNativeScorer } from "./lib/native_ort.ts";
import { parseFlags, parseIntegerFlag, parseNumberFlag, UsageError } from "./lib/flags.ts";
import { describeReasonMethod } from "../api/scoring/reason_codes.ts";
import {
  importModel,
  type ImportOptions,
  ImportRefusal,
  XgboostRefusal,
} from "./import/run_import.ts";
import type { ImportReport } from "./import/report.ts";

/** Help text of `deno task import-model`. */
export const IMPORT_USAGE =
  `Usage: deno task import-model --out DIR (--onnx MODEL.onnx | --xgboost MODEL.json)
    --data SAMPLE.csv [--target COL --positive LABEL] [--columns COLUMNS.json]
    [--threshold P | --cost-fn 10 --cost-fp 1] [--output NAME] [--output-column K]
    [--reasons REASONS.json] [--name TEXT]

Turns a binary classifier trained elsewhere into an artifacts directory the
service serves (ARTIFACTS_DIR=DIR deno task start).

Options:
  --out DIR            artifacts directory to write
  --onnx FILE          ONNX model with one float input [N, columns]; external
                       weight files (*.onnx.data) next to it travel with it
  --xgboost FILE       XGBoost JSON model (Booster.save_model("model.json"))
  --data FILE          CSV sample of raw rows (NA or empty = missing): feature
                       schema, drift reference, and with labels the metrics
                       and the threshold
  --target COL         the outcome column of the sample ...
  --positive LABEL     ... and its label meaning "default" (positive class)
  --columns FILE       the model's input columns in order (JSON): {"name": F},
                       {"name": F, "level": L} (one-hot), {"name": F,
                       "codes": {"L": 0, ...}} (ordinal); default: the data's
                       columns but the target, as numbers
  --threshold P        reject when the probability reaches P (needed without
                       labels); default: minimise cost on the labelled sample
  --cost-fn N          cost of a missed default (default 10)
  --cost-fp N          cost of a rejected good applicant (default 1)
  --output NAME        the output holding the probability (default: found)
  --output-column K    its column (default: the positive class's)
  --reasons FILE       {"feature": "sentence shown to the applicant", ...}
  --name TEXT          what the model is, for the model card
  -h, --help           show this help

Exit codes: 0 imported, 1 error, 2 bad usage, 3 refused.`;

/** Parses the command line; null = help. Throws {@link UsageError}. */
export function parseImportArgs(args: readonly string[]): ImportOptions | null {
  const v = parseFlags(args, {
    out: { type: "string" },
    onnx: { type: "string" },
    xgboost: { type: "string" },
    data: { type: "string" },
    target: { type: "string" },
    positive: { type: "string" },
    columns: { type: "string" },
    threshold: { type: "string" },
    "cost-fn": { type: "string" },
    "cost-fp": { type: "string" },
    output: { type: "string" },
    "output-column": { type: "string" },
    reasons: { type: "string" },
    name: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) return null;
  if (!v.out) throw new UsageError("--out DIR is required");
  if (!v.data) throw new UsageError("--data SAMPLE.csv is required");
  if ((v.onnx === undefined) === (v.xgboost === undefined)) {
    throw new UsageError("give exactly one of --onnx MODEL.onnx and --xgboost MODEL.json");
  }
  if ((v.target === undefined) !== (v.positive === undefined)) {
    throw new UsageError("--target COL and --positive LABEL go together");
  }
  const hasCosts = v["cost-fn"] !== undefined || v["cost-fp"] !== undefined;
  if (v.threshold !== undefined && hasCosts) {
    throw new UsageError("give --threshold or the costs (--cost-fn, --cost-fp), not both");
  }
  const threshold = v.threshold === undefined
    ? undefined
    : parseNumberFlag("threshold", v.threshold, { min: 0, max: 1 });
  if (threshold !== undefined && !(threshold > 0 && threshold < 1)) {
    throw new UsageError("--threshold must be between 0 and 1 (exclusive)");
  }
  return {
    out: v.out,
    source: v.onnx !== undefined
      ? { kind: "onnx", path: v.onnx }
      : { kind: "xgboost", path: v.xgboost! },
    data: v.data,
    target: v.target,
    positive: v.positive,
    columns: v.columns,
    threshold,
    costs: hasCosts
      ? {
        false_negative: v["cost-fn"] === undefined
          ? 10
          : parseNumberFlag("cost-fn", v["cost-fn"], { min: 0 }),
        false_positive: v["cost-fp"] === undefined
          ? 1
          : parseNumberFlag("cost-fp", v["cost-fp"], { min: 0 }),
      }
      : undefined,
    output: v.output,
    outputColumn: v["output-column"] === undefined
      ? undefined
      : parseIntegerFlag("output-column", v["output-column"], { min: 0 }),
    reasons: v.reasons,
    name: v.name,
  };
}

const sci = (x: number) => (x === 0 ? "0" : x.toExponential(2));

/** The summary printed after an import. */
export function formatImportSummary(report: ImportReport): string {
  const { meta, parity, reasons } = report;
  const lines = [
    `imported ${meta.model_version} (${meta.name}) into ${report.dir}`,
    `  input     ${meta.onnx.input_name}: ${meta.columns.length} columns from ` +
    `${meta.features.length} features`,
    `  output    ${report.output.why}`,
    `  parity    on ${report.rows} sample rows: ` +
    ("maxAbs" in parity.native
      ? `max |served − native onnxruntime| = ${sci(parity.native.maxAbs)}`
      : `native onnxruntime not compared (${parity.native.unavailable})`) +
    (parity.xgboostRule
      ? `; max |served − XGBoost rule (float32)| = ${sci(parity.xgboostRule.maxAbs)}`
      : ""),
    `  reasons   ${describeReasonMethod(meta.reasons)}` +
    (reasons.msPerRow !== null
      ? `\n            ${reasons.msPerRow.toFixed(3)} ms per explained row (median of 3 passes ` +
        `over ${reasons.rowsTimed} reference rows); largest |base + Σ contributions − ` +
        `logit(served)| ${sci(reasons.additivity ?? 0)}`
      : ""),
    `  threshold ${meta.threshold}` +
    (meta.metrics.test
      ? ` (sample: ROC AUC ${meta.metrics.test.roc_auc.toFixed(3)}, Brier ` +
        `${meta.metrics.test.brier.toFixed(3)}, ${meta.metrics.test.n_rows} rows)`
      : ""),
    ...report.warnings.map((w) => `  warning   ${w}`),
    `serve it: ARTIFACTS_DIR=${report.dir} deno task start`,
  ];
  return lines.join("\n");
}

/** Runs the task with these arguments; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let options: ImportOptions | null;
  try {
    options = parseImportArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`import-model: ${err.message} (see --help)`);
    return 2;
  }
  if (options === null) {
    console.log(IMPORT_USAGE);
    return 0;
  }
  try {
    const report = await importModel({ ...options, native: await loadNativeScorer() });
    console.log(formatImportSummary(report));
    return 0;
  } catch (err) {
    const refused = err instanceof ImportRefusal || err instanceof XgboostRefusal;
    console.error(`import-model: ${refused ? "refused: " : ""}${(err as Error).message}`);
    return refused ? 3 : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
