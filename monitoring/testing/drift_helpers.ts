/**
 * Builders shared by the drift tests: a two-feature schema, rows as the API
 * logs them, and seeded samples from a fixed distribution.
 *
 * @module
 */
import { readCsvFile, tableToFeatures } from "../../api/scoring/feature_csv.ts";
import type { Features } from "../../api/scoring/feature_vector.ts";
import { loadModel } from "../../api/scoring/model.ts";
import type { FeatureSpec } from "../../api/scoring/model_meta.ts";
import type { ProductionRow } from "../drift_accumulator.ts";
import { referenceSampleCsv } from "../reference_sample.ts";
import { seededRandom } from "../seeded_random.ts";

/** A numeric feature `x` and a categorical feature `c` (levels a, b, c). */
export const TWO_FEATURES: FeatureSpec[] = [
  { name: "x", type: "numeric", min: 0, max: 100, median: 50, missing_rate: 0.1 },
  {
    name: "c",
    type: "categorical",
    levels: ["a", "b", "c"],
    mode: "a",
    missing_rate: 0,
  },
];

/** Options for {@link sampleRows}. */
export interface SampleOptions {
  seed: number;
  /** Multiplies every present `x`. Default 1. */
  scaleX?: number;
  /** Share of missing `x`. Default 0.1. */
  missingX?: number;
}

/**
 * `n` rows of TWO_FEATURES: x uniform integer 0..100 (10% missing),
 * c = a/b/c with shares 0.5/0.3/0.2, score uniform in [0, 1).
 */
export function sampleRows(
  n: number,
  options: SampleOptions,
): { rows: Features[]; scores: number[] } {
  const rng = seededRandom(options.seed);
  const rows: Features[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    const x = rng.next() < (options.missingX ?? 0.1)
      ? null
      : rng.int(0, 100) * (options.scaleX ?? 1);
    rows.push({ x, c: u < 0.5 ? "a" : u < 0.8 ? "b" : "c" });
    scores.push(rng.next());
  }
  return { rows, scores };
}

/** A logged row for these features, as the store returns it. */
export function loggedRow(
  features: Features,
  overrides: Partial<ProductionRow> = {},
): ProductionRow {
  return {
    ts_utc: "2025-01-01T00:00:00.000Z",
    model_version: "v1",
    proba_default: 0.5,
    decision: 0,
    input_json: JSON.stringify(features),
    ...overrides,
  };
}

/**
 * Writes a reference sample CSV for tests and the scale script: the rows of
 * `sourcePath` (credit-data CSV format) with the score of the model in
 * `artifactsDir`, in the training task's format (`referenceSampleCsv`). The
 * scores are in-sample, standing in for the training task's out-of-fold ones.
 */
export async function writeReferenceSample(
  path: string,
  options: { artifactsDir: string; sourcePath: string },
): Promise<void> {
  const model = await loadModel(options.artifactsDir);
  try {
    const specs = model.meta.features;
    const table = await readCsvFile(options.sourcePath);
    const scores = await model.scoreRows(tableToFeatures(table, specs));
    await Deno.writeTextFile(path, referenceSampleCsv(table.records, { specs, scores }));
  } finally {
    await model.release();
  }
}
