/**
 * Input data quality, apart from drift: values far outside the training range,
 * values of the wrong type, categorical levels never seen in training. Drift
 * asks "has the population changed?"; these ask "is the input broken?" — a
 * unit change upstream (amounts suddenly in cents), a field that now carries
 * text, a renamed category. They alert on their own, with the feature named,
 * even when the share is too small to move a PSI.
 *
 * Rules (all on the production window; the reference has none of these by
 * construction, so no test against it is needed):
 * - **out of range**: a numeric value outside
 *   `[min − k·(max − min), max + k·(max − min)]` of the reference values,
 *   `k` = {@link DEFAULT_RANGE_FACTOR} (1: "far" = more than a whole range
 *   beyond an edge; values just past the training extremes are normal);
 * - **wrong type**: a numeric feature given a non-number (other than null), a
 *   categorical one given a non-string;
 * - **unseen level**: a categorical string outside the metadata's levels.
 *
 * A check alerts when its share of the window's rows reaches
 * {@link DEFAULT_MIN_SHARE} and at least {@link DEFAULT_MIN_COUNT} rows are
 * affected; "high" from ten times that share.
 *
 * @module
 */
import type { Alert } from "./alerts.ts";

/** Default `k` of the out-of-range rule. */
export const DEFAULT_RANGE_FACTOR = 1;
/** Default share of rows from which a check alerts. */
export const DEFAULT_MIN_SHARE = 0.01;
/** Default minimum number of affected rows for an alert. */
export const DEFAULT_MIN_COUNT = 5;

/** Per-feature counts gathered while streaming the window. */
export interface QualityCounts {
  /** Rows whose input could be read. */
  n: number;
  outOfRange: number;
  wrongType: number;
  unseenLevel: number;
}

/** The data-quality facts of one feature (see `REPORT_FIELDS.md`). */
export interface FeatureQuality {
  /** Numeric features: the accepted interval. */
  range: { low: number; high: number } | null;
  out_of_range: number;
  wrong_type: number;
  unseen_level: number;
  /** Shares of the rows read. */
  out_of_range_share: number;
  wrong_type_share: number;
  unseen_level_share: number;
}

/** The data-quality section of a drift report. */
export interface DataQuality {
  range_factor: number;
  min_share: number;
  min_count: number;
  features: Record<string, FeatureQuality>;
}

/** The accepted interval of a numeric feature with reference range [min, max]. */
export function acceptedRange(
  range: { min: number; max: number },
  k = DEFAULT_RANGE_FACTOR,
): { low: number; high: number } {
  const width = range.max - range.min;
  return { low: range.min - k * width, high: range.max + k * width };
}

/** Options for {@link dataQuality}. */
export interface DataQualityOptions {
  rangeFactor?: number;
  minShare?: number;
  minCount?: number;
}

/** Assembles the section from the counts, in feature order. */
export function dataQuality(
  features: readonly { name: string; range: { low: number; high: number } | null }[],
  counts: readonly QualityCounts[],
  options: DataQualityOptions = {},
): DataQuality {
  const out: Record<string, FeatureQuality> = {};
  features.forEach((f, i) => {
    const c = counts[i];
    const share = (k: number) => (c.n > 0 ? k / c.n : 0);
    out[f.name] = {
      range: f.range,
      out_of_range: c.outOfRange,
      wrong_type: c.wrongType,
      unseen_level: c.unseenLevel,
      out_of_range_share: share(c.outOfRange),
      wrong_type_share: share(c.wrongType),
      unseen_level_share: share(c.unseenLevel),
    };
  });
  return {
    range_factor: options.rangeFactor ?? DEFAULT_RANGE_FACTOR,
    min_share: options.minShare ?? DEFAULT_MIN_SHARE,
    min_count: options.minCount ?? DEFAULT_MIN_COUNT,
    features: out,
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The alerts of the section: one per feature and check that reaches the rule. */
export function dataQualityAlerts(section: DataQuality): Alert[] {
  const alerts: Alert[] = [];
  for (const [feature, q] of Object.entries(section.features)) {
    const checks = [
      {
        kind: "out_of_range" as const,
        count: q.out_of_range,
        share: q.out_of_range_share,
        what: q.range
          ? `values outside [${q.range.low.toPrecision(4)}, ${q.range.high.toPrecision(4)}] ` +
            `(${section.range_factor} × the training range beyond its edges)`
          : "values outside the training range",
      },
      {
        kind: "wrong_type" as const,
        count: q.wrong_type,
        share: q.wrong_type_share,
        what: "values of the wrong type",
      },
      {
        kind: "unseen_level" as const,
        count: q.unseen_level,
        share: q.unseen_level_share,
        what: "levels never seen in training",
      },
    ];
    for (const c of checks) {
      if (c.count < section.min_count || c.share < section.min_share) continue;
      alerts.push({
        kind: c.kind,
        feature,
        severity: c.share >= 10 * section.min_share ? "high" : "moderate",
        message: `${feature}: ${pct(c.share)} of rows (${c.count}) have ${c.what}`,
      });
    }
  }
  return alerts;
}
