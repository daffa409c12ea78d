/**
 * The drift reference sample (`reference_sample.csv` in a model's artifacts
 * directory), written by the training and import tasks and read by drift
 * monitoring, the site and the simulator: every reference row in the shape
 * the API receives as `features` (feature columns in metadata order, missing
 * written as `NA`), the target when the rows are labelled, and
 * `proba_default`, the row's model score — out-of-fold for a model trained
 * here: in-sample scores are optimistic, and the score-drift monitor would
 * then fire on clean traffic.
 *
 * @module
 */
import {
  type CsvRecord,
  type CsvTable,
  featuresToCsvValues,
  formatCsvLine,
  parseNumericField,
  readCsvFile,
  recordToFeatures,
  tableToFeatures,
} from "../api/scoring/feature_csv.ts";
import type { FeatureSpec } from "../api/scoring/model_meta.ts";
import type { ReferenceSample } from "./reference_profile.ts";

/** Column of the reference CSV holding each row's score. */
export const SCORE_COLUMN = "proba_default";

/** Converts a parsed reference CSV into feature rows and scores; errors name row and column. */
export function tableToReferenceSample(
  table: CsvTable,
  features: readonly FeatureSpec[],
): ReferenceSample {
  if (!table.columns.includes(SCORE_COLUMN)) {
    throw new Error(`reference CSV lacks the ${SCORE_COLUMN} column`);
  }
  const rows = tableToFeatures(table, features);
  const scores = new Float64Array(table.records.length);
  table.records.forEach((record, i) => {
    const where = { row: i + 1, column: SCORE_COLUMN, line: table.lines[i] };
    const text = record[SCORE_COLUMN];
    const score = text === null || text === undefined ? NaN : parseNumericField(text, where);
    if (!(score >= 0 && score <= 1)) {
      throw new Error(
        `row ${where.row} (line ${where.line}), column "${SCORE_COLUMN}": ` +
          `expected a probability, got ${JSON.stringify(text)}`,
      );
    }
    scores[i] = score;
  });
  return { rows, scores };
}

/** Reads the reference sample CSV at `path`; every error message starts with the path. */
export async function readReferenceSample(
  path: string,
  features: readonly FeatureSpec[],
): Promise<ReferenceSample> {
  let table: CsvTable;
  try {
    table = await readCsvFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new Error(`${path}: reference sample not found`);
    throw err;
  }
  try {
    return tableToReferenceSample(table, features);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/** Decimals written for scores (fixed, so the file is byte-stable). */
export const SCORE_DECIMALS = 6;

/**
 * The reference sample as CSV text (header + one line per record): the
 * features, then the target column when `target` names one (so the sample
 * can replay labelled traffic, e.g. `deno task simulate --outcomes`), then
 * the score.
 */
export function referenceSampleCsv(
  records: readonly CsvRecord[],
  options: { specs: readonly FeatureSpec[]; scores: ArrayLike<number>; target?: string | null },
): string {
  const { specs, scores } = options;
  const target = options.target ?? null;
  if (scores.length !== records.length) {
    throw new RangeError(`${records.length} records but ${scores.length} scores`);
  }
  const header = [...specs.map((s) => s.name), ...(target ? [target] : []), SCORE_COLUMN];
  const lines = [formatCsvLine(header)];
  records.forEach((record, i) => {
    const features = recordToFeatures(record, specs, { row: i + 1 });
    lines.push(formatCsvLine([
      ...featuresToCsvValues(features, specs),
      ...(target ? [record[target] ?? null] : []),
      scores[i].toFixed(SCORE_DECIMALS),
    ]));
  });
  return `${lines.join("\n")}\n`;
}
