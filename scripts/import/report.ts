/**
 * What an import did: the metadata written, what is served, the measured
 * parity and the reason codes' method, cost and additivity. Read by the model
 * card, the command's summary and the tests.
 *
 * @module
 */
import type { ModelMeta, ReasonsSpec } from "../../api/scoring/model_meta.ts";

/** What an import did, for the summary and the tests. */
export interface ImportReport {
  meta: ModelMeta;
  dir: string;
  /** Sample rows scored. */
  rows: number;
  /** Served probabilities of the sample rows, in file order. */
  served: Float64Array;
  output: { tensor: string; column: number; why: string; rewritten: boolean };
  parity: {
    native: { maxAbs: number } | { unavailable: string };
    /** XGBoost only: against its prediction rule, walked in float32. */
    xgboostRule?: { maxAbs: number };
  };
  reasons: {
    method: ReasonsSpec["method"];
    note: string;
    /** Measured on the reference sample, per explained row (null for none). */
    msPerRow: number | null;
    rowsTimed: number;
    /** Largest |base + Σ contributions − link(served)| over the timed rows. */
    additivity: number | null;
  };
  warnings: string[];
}
