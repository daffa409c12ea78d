/**
 * The drift reference sample (`data/reference/reference_sample.csv`): every
 * training row in the shape the API receives as `features` (feature columns in
 * metadata order, missing written as `NA`) plus its out-of-fold
 * `proba_default`. Out-of-fold, not in-sample: in-sample scores are
 * optimistic, and the score-drift monitor would then fire on clean traffic.
 *
 * @module
 */
import type { CsvRecord } from "../../api/scoring/feature_csv.ts";
import {
  featuresToCsvValues,
  formatCsvLine,
  recordToFeatures,
} from "../../api/scoring/feature_csv.ts";
import type { FeatureSpec } from "../../api/scoring/model_meta.ts";

import { SCORE_COLUMN } from "../../monitoring/reference_sample.ts";

/** Decimals written for scores (fixed, so the file is byte-stable). */
export const SCORE_DECIMALS = 6;

/** The reference sample as CSV text (header + one line per record). */
export function referenceSampleCsv(
  records: readonly CsvRecord[],
  options: { specs: readonly FeatureSpec[]; scores: ArrayLike<number> },
): string {
  const { specs, scores } = options;
  if (scores.length !== records.length) {
    throw new RangeError(`${records.length} records but ${scores.length} scores`);
  }
  const lines = [formatCsvLine([...specs.map((s) => s.name), SCORE_COLUMN])];
  records.forEach((record, i) => {
    const features = recordToFeatures(record, specs, { row: i + 1 });
    lines.push(
      formatCsvLine([...featuresToCsvValues(features, specs), scores[i].toFixed(SCORE_DECIMALS)]),
    );
  });
  return `${lines.join("\n")}\n`;
}
