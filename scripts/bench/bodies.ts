/**
 * Request bodies for the benchmarks: real applications from
 * `data/credit_data/test.csv`, read the way every other path reads CSV
 * (`api/scoring/feature_csv.ts`) against the model's feature specs.
 *
 * @module
 */
import { readCsvFile, tableToFeatures } from "../../api/scoring/feature_csv.ts";
import type { Features } from "../../api/scoring/feature_vector.ts";
import { readModelMeta } from "../../api/scoring/model_meta.ts";

/** Options for {@link loadBenchRows}. */
export interface LoadBenchRowsOptions {
  /** Default `data/credit_data/test.csv`. */
  csv?: string;
  /** Default `artifacts`. */
  artifactsDir?: string;
}

/** Feature rows of the test file, and the model version they were read for. */
export async function loadBenchRows(
  options: LoadBenchRowsOptions = {},
): Promise<{ rows: Features[]; modelVersion: string }> {
  const meta = await readModelMeta(options.artifactsDir ?? "artifacts");
  const table = await readCsvFile(options.csv ?? "data/credit_data/test.csv");
  const rows = tableToFeatures(table, meta.features);
  if (rows.length === 0) throw new Error("the benchmark CSV has no rows");
  return { rows, modelVersion: meta.model_version };
}

/** One `/predict` body per row: `{"features": {...}}`. */
export function predictBodies(rows: readonly Features[]): string[] {
  return rows.map((features) => JSON.stringify({ features }));
}

/**
 * `count` `/predict_batch` bodies of `size` rows each, taking the rows in
 * order and wrapping around (default count: enough to use every row once).
 */
export function batchBodies(rows: readonly Features[], size: number, count?: number): string[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size ${size} is not ≥ 1`);
  if (rows.length === 0) throw new RangeError("no rows");
  const n = count ?? Math.ceil(rows.length / size);
  return Array.from({ length: n }, (_, k) =>
    JSON.stringify({
      rows: Array.from({ length: size }, (_, i) => rows[(k * size + i) % rows.length]),
    }));
}
