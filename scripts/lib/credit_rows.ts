/**
 * The bundled applications (`data/credit_data/test.csv`) as feature rows of a
 * model: the realistic traffic the tools replay (load, crash, screenshots).
 *
 * @module
 */
import { readCsvFile, tableToFeatures } from "../../api/scoring/feature_csv.ts";
import type { Features } from "../../api/scoring/feature_vector.ts";
import type { FeatureSpec } from "../../api/scoring/model_meta.ts";

/** Path of the bundled test split, from the project root. */
export const CREDIT_TEST_CSV = new URL("../../data/credit_data/test.csv", import.meta.url).pathname;

/** The first `limit` bundled applications, as features of a model with `specs`. */
export async function creditRows(
  specs: readonly FeatureSpec[],
  limit = Infinity,
): Promise<Features[]> {
  return tableToFeatures(await readCsvFile(CREDIT_TEST_CSV), specs).slice(0, limit);
}
