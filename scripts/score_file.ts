/**
 * `deno task score-file --in FILE.csv --out FILE.csv`: scores a CSV of
 * applications offline with the bundled model, through the same path as the
 * API (`loadModel`, `feature_csv.ts`, `encodeRows`, ONNX runtime), one ONNX
 * run per chunk of rows. Writes the input columns plus `proba_default`,
 * `decision` (1 = reject, 0 = approve at the model's threshold, as the API
 * answers) and `decision_label`.
 *
 * Every row is validated before any is scored: an unknown level or a
 * non-numeric field stops the run with an error naming row and column.
 *
 * @module
 */
import {
  type CsvTable,
  formatCsvLine,
  readCsvFile,
  tableToFeatures,
} from "../api/scoring/feature_csv.ts";
import { loadModel } from "../api/scoring/model.ts";
import { parseFlags, UsageError } from "./lib/flags.ts";
import { createProgress, type Progress } from "./lib/progress.ts";
import { decide, decisionLabel } from "../api/scoring/model_meta.ts";

/** Columns the scorer appends. */
export const OUTPUT_COLUMNS = ["proba_default", "decision", "decision_label"] as const;

/** Decimals written for probabilities. */
const PROBA_DECIMALS = 6;

/** What to score, from the command line. */
export interface ScoreFileOptions {
  input: string;
  output: string;
  artifactsDir: string;
  /** Rows per ONNX run. */
  chunkSize: number;
}

export { UsageError };

/** Usage text of the command. */
export const USAGE = `Usage: deno task score-file --in FILE.csv --out FILE.csv [options]

Scores every row of a CSV of applications (a header row with the model's feature
names; NA or empty = missing) and writes the input columns plus proba_default,
decision (1 = reject, 0 = approve) and decision_label.

Options:
  --in FILE          input CSV (required)
  --out FILE         output CSV (required; overwritten)
  --artifacts DIR    model directory (default: artifacts)
  --chunk-size N     rows per ONNX run (default: 1000)
  -h, --help         show this help`;

/** Parses command-line arguments; `null` means help was asked for. */
export function parseScoreFileArgs(args: string[]): ScoreFileOptions | null {
  const values = parseFlags(args, {
    in: { type: "string" },
    out: { type: "string" },
    artifacts: { type: "string", default: "artifacts" },
    "chunk-size": { type: "string", default: "1000" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return null;
  if (!values.in) throw new UsageError("--in FILE.csv is required");
  if (!values.out) throw new UsageError("--out FILE.csv is required");
  if (values.in === values.out) throw new UsageError("--in and --out must be different files");
  const chunkSize = Number(values["chunk-size"]);
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1_000_000) {
    throw new UsageError(`--chunk-size must be a whole number from 1 to 1000000`);
  }
  return { input: values.in, output: values.out, artifactsDir: values.artifacts, chunkSize };
}

/** Summary of a scoring run. */
export interface ScoreFileResult {
  rows: number;
  rejected: number;
  threshold: number;
  modelVersion: string;
}

/** Input columns kept in the output: all but those the scorer (re)writes. */
function keptColumns(table: CsvTable): string[] {
  return table.columns.filter((c) => !(OUTPUT_COLUMNS as readonly string[]).includes(c));
}

/** Scores `options.input` into `options.output`. */
export async function scoreFile(
  options: ScoreFileOptions,
  hooks: { onRows?: (done: number, total: number) => void } = {},
): Promise<ScoreFileResult> {
  const model = await loadModel(options.artifactsDir);
  try {
    const table = await readCsvFile(options.input);
    let features;
    try {
      features = tableToFeatures(table, model.meta.features);
    } catch (err) {
      throw new Error(`${options.input}: ${(err as Error).message}`);
    }
    const columns = keptColumns(table);
    const threshold = model.meta.threshold;
    const file = await Deno.open(options.output, { write: true, create: true, truncate: true });
    const encoder = new TextEncoder();
    let rejected = 0;
    try {
      await file.write(encoder.encode(`${formatCsvLine([...columns, ...OUTPUT_COLUMNS])}\n`));
      for (let start = 0; start < features.length; start += options.chunkSize) {
        const end = Math.min(start + options.chunkSize, features.length);
        const scores = await model.scoreRows(features.slice(start, end));
        const lines = Array.from(scores, (p, i) => {
          const decision = decide(p, threshold);
          rejected += decision;
          const record = table.records[start + i];
          return formatCsvLine([
            ...columns.map((c) => record[c] ?? null),
            p.toFixed(PROBA_DECIMALS),
            decision,
            decisionLabel(decision),
          ]);
        });
        await file.write(encoder.encode(`${lines.join("\n")}\n`));
        hooks.onRows?.(end, features.length);
      }
    } finally {
      file.close();
    }
    return { rows: features.length, rejected, threshold, modelVersion: model.meta.model_version };
  } finally {
    await model.release();
  }
}

async function main(args: string[]): Promise<number> {
  let options: ScoreFileOptions | null;
  try {
    options = parseScoreFileArgs(args);
  } catch (err) {
    console.error(`score-file: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === null) {
    console.log(USAGE);
    return 0;
  }
  let bar: Progress | undefined;
  try {
    const result = await scoreFile(options, {
      onRows: (done, total) => {
        bar ??= createProgress({ label: "scoring", total, minTotal: 0 });
        bar.update(done);
      },
    });
    bar?.stop();
    console.log(
      `scored ${result.rows} rows with ${result.modelVersion} (threshold ${result.threshold}): ` +
        `${result.rejected} rejected → ${options.output}`,
    );
    return 0;
  } catch (err) {
    bar?.stop();
    console.error(`score-file: ${(err as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
