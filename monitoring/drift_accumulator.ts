/**
 * The streaming production side: logged predictions are added one at a time
 * into fixed-size bucket counters, so a window of any length is processed in
 * constant memory; `finish()` turns the counts into a report.
 *
 * `add` is the hot path of `deno task drift` (one call per logged row): it
 * parses `input_json` once with `JSON.parse` (native, faster than any
 * JS-level scanner) and does one bucket lookup per feature; the same bucket
 * index also counts in the row's time chunk (hour or day, keyed by a prefix
 * of the ISO timestamp: no date parsing), a range/type check per feature
 * feeds the data-quality section, and a reservoir sampler (a few thousand
 * random draws per million rows) keeps the rows of the multivariate check.
 * Memory stays bounded: counters per chunk, at most the sample's rows.
 *
 * @module
 */
import type { PredictionRecord } from "../api/store/mod.ts";
import { bucketCount, bucketOf, numericBucket } from "./binning.ts";
import { acceptedRange, dataQuality, type QualityCounts } from "./data_quality.ts";
import {
  buildDriftReport,
  type ChunkSize,
  type DriftReport,
  type DriftReportOptions,
} from "./drift_report.ts";
import { createProductionSampler, type ProductionSampler } from "./multivariate.ts";
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

/** Options of the accumulator beyond the report's rules. */
export interface AccumulatorOptions extends DriftReportOptions {
  /** Also count per time chunk (the report's `chunks`). Default: none. */
  chunk?: ChunkSize;
  /** Rows sampled for the multivariate check; 0 turns it off. Default 5000. */
  multivariateSampleRows?: number;
}

/** Counters of one time chunk. */
export interface ChunkCounts {
  /** ISO prefix: `2025-01-31T14` (hour) or `2025-01-31` (day). */
  key: string;
  n: number;
  features: Float64Array[];
  score: Float64Array;
  rejects: number;
}

const PREFIX: Record<ChunkSize, number> = { hour: 13, day: 10 };

/** Creates an empty accumulator; `options` are the report's rules. */
export function createDriftAccumulator(
  profile: ReferenceProfile,
  options: AccumulatorOptions = {},
): DriftAccumulator {
  const features = profile.features;
  const nFeatures = features.length;
  const names = features.map((f) => f.spec.name);
  const binnings = features.map((f) => f.binning);
  const newCounts = () => features.map((f) => new Float64Array(bucketCount(f.binning)));
  const counts = newCounts();
  const scoreBinning = profile.score.binning;
  const scoreCounts = new Float64Array(bucketCount(scoreBinning));
  const versions = new Map<string, number>();
  const ranges = features.map((
    f,
  ) => (f.range ? acceptedRange(f.range, options.rangeFactor) : null));
  const isNumeric = features.map((f) => f.spec.type === "numeric");
  const unseenIndex = features.map((
    f,
  ) => (f.binning.type === "categorical" ? f.binning.unseenIndex : -1));
  const quality: QualityCounts[] = features.map(() => ({
    n: 0,
    outOfRange: 0,
    wrongType: 0,
    unseenLevel: 0,
  }));
  const prefix = options.chunk ? PREFIX[options.chunk] : 0;
  const chunks = new Map<string, ChunkCounts>();
  let chunk: ChunkCounts | null = null;
  const sampleRows = options.multivariateSampleRows ?? 5000;
  const sampler: ProductionSampler | null = profile.multivariate && sampleRows > 0
    ? createProductionSampler(profile.multivariate, sampleRows)
    : null;
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
      if (prefix > 0) {
        const key = ts.slice(0, prefix);
        if (chunk === null || chunk.key !== key) {
          chunk = chunks.get(key) ?? null;
          if (chunk === null) {
            chunk = {
              key,
              n: 0,
              features: newCounts(),
              score: new Float64Array(scoreCounts.length),
              rejects: 0,
            };
            chunks.set(key, chunk);
          }
        }
        chunk.n++;
        chunk.rejects += row.decision;
      }
      // A non-finite logged score cannot be binned; the store's NOT NULL REAL
      // column makes it impossible, so it is simply skipped for the score.
      if (Number.isFinite(row.proba_default)) {
        const b = numericBucket(scoreBinning, row.proba_default);
        scoreCounts[b]++;
        if (chunk !== null) chunk.score[b]++;
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
      for (let f = 0; f < nFeatures; f++) {
        const v = input[names[f]];
        const b = bucketOf(binnings[f], v);
        counts[f][b]++;
        if (chunk !== null) chunk.features[f][b]++;
        const q = quality[f];
        q.n++;
        if (v === null || v === undefined) continue;
        if (isNumeric[f]) {
          if (typeof v !== "number") q.wrongType++;
          else {
            const r = ranges[f];
            if (r !== null && (v < r.low || v > r.high)) q.outOfRange++;
          }
        } else if (typeof v !== "string") q.wrongType++;
        else if (b === unseenIndex[f]) q.unseenLevel++;
      }
      sampler?.offer(input);
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
        quality: dataQuality(names.map((name, i) => ({ name, range: ranges[i] })), quality, {
          rangeFactor: options.rangeFactor,
          minShare: options.qualityMinShare,
          minCount: options.qualityMinCount,
        }),
        chunks: options.chunk
          ? {
            size: options.chunk,
            counts: [...chunks.values()].sort((a, b) => a.key < b.key ? -1 : 1),
          }
          : undefined,
        multivariateSample: sampler
          ? { rows: sampler.rows(), seen: sampler.seen, cap: sampleRows }
          : undefined,
      }, options);
    },
  };
}
