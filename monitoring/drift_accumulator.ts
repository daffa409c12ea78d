/**
 * The streaming production side: logged predictions are added one at a time
 * into fixed-size bucket counters, so a window of any length is processed in
 * constant memory; `finish()` turns the counts into a report.
 *
 * `add` is the hot path of `deno task drift` (one call per logged row): it
 * parses `input_json` once with `JSON.parse` (native, faster than any
 * JS-level scanner) and does one bucket lookup per feature, nothing else.
 *
 * @module
 */
import type { PredictionRecord } from "../api/store/mod.ts";
import { bucketCount, bucketOf, numericBucket } from "./binning.ts";
import { buildDriftReport, type DriftReport, type DriftReportOptions } from "./drift_report.ts";
import type { ReferenceProfile } from "./reference_profile.ts";

/** The columns of a logged prediction that drift uses. */
export type ProductionRow = Pick<
  PredictionRecord,
  "ts_utc" | "model_version" | "proba_default" | "decision" | "input_json"
>;

/** Accumulates production rows against a reference profile. */
export interface DriftAccumulator {
  /** Counts one logged prediction. */
  add(row: ProductionRow): void;
  /** Rows added so far. */
  readonly rows: number;
  /** The report of the rows added so far (the accumulator stays usable). */
  finish(): DriftReport;
}

/** Creates an empty accumulator; `options` are the report's rules. */
export function createDriftAccumulator(
  profile: ReferenceProfile,
  options: DriftReportOptions = {},
): DriftAccumulator {
  const features = profile.features;
  const nFeatures = features.length;
  const names = features.map((f) => f.spec.name);
  const binnings = features.map((f) => f.binning);
  const counts = features.map((f) => new Float64Array(bucketCount(f.binning)));
  const scoreBinning = profile.score.binning;
  const scoreCounts = new Float64Array(bucketCount(scoreBinning));
  const versions = new Map<string, number>();
  let n = 0;
  let rejects = 0;
  let malformed = 0;
  let firstTs: string | null = null;
  let lastTs: string | null = null;

  return {
    add(row) {
      n++;
      const ts = row.ts_utc;
      if (firstTs === null || ts < firstTs) firstTs = ts;
      if (lastTs === null || ts > lastTs) lastTs = ts;
      versions.set(row.model_version, (versions.get(row.model_version) ?? 0) + 1);
      // A non-finite logged score cannot be binned; the store's NOT NULL REAL
      // column makes it impossible, so it is simply skipped for the score.
      if (Number.isFinite(row.proba_default)) {
        scoreCounts[numericBucket(scoreBinning, row.proba_default)]++;
      }
      rejects += row.decision;
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(row.input_json);
      } catch {
        malformed++;
        return;
      }
      if (input === null || typeof input !== "object") {
        malformed++;
        return;
      }
      for (let f = 0; f < nFeatures; f++) counts[f][bucketOf(binnings[f], input[names[f]])]++;
    },
    get rows() {
      return n;
    },
    finish() {
      return buildDriftReport(profile, {
        n,
        features: counts,
        score: { counts: scoreCounts, rejects, total: n },
        firstTs,
        lastTs,
        modelVersions: Object.fromEntries(versions),
        malformed,
      }, options);
    },
  };
}
