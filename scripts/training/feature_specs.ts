/**
 * Derives the metadata feature specs (`FeatureSpec`) from training records:
 * ranges, medians, modes, missing rates, and the order of categorical levels.
 *
 * Level order is the model's encoding (a level's column value is its index:
 * `ordinalColumns` of the metadata module),
 * so it is chosen for the learner: levels sorted by smoothed training default
 * rate. With this order a split `x < t` puts the riskier levels on one side,
 * which for a binary target is the best way to cut a categorical feature in
 * two (Fisher 1958; Breiman et al. 1984) — the order is fixed once per model,
 * not re-sorted at every node as LightGBM does.
 *
 * @module
 */
import type { CsvRecord } from "../../api/scoring/feature_csv.ts";
import { parseNumericField } from "../../api/scoring/feature_csv.ts";
import type { FeatureSpec } from "../../api/scoring/model_meta.ts";
import type { FeatureConfig } from "./train_config.ts";

/** Options for {@link orderLevels}. */
export interface OrderLevelsOptions {
  /** Weight `m` of the overall default rate in each level's smoothed rate. */
  priorWeight: number;
  /** Levels that exist but may have no rows here (they get the overall rate). */
  knownLevels?: readonly string[];
}

/** A level and its smoothed default rate. */
export interface LevelRate {
  level: string;
  rows: number;
  rate: number;
}

/**
 * Levels of one categorical column ordered by smoothed default rate
 * `(positives + m · prior) / (rows + m)`, ascending; ties by name. Missing
 * values (`null`) are not a level.
 */
export function orderLevels(
  values: readonly (string | null)[],
  labels: ArrayLike<number>,
  options: OrderLevelsOptions,
): LevelRate[] {
  const counts = new Map<string, { rows: number; positives: number }>();
  for (const level of options.knownLevels ?? []) counts.set(level, { rows: 0, positives: 0 });
  let positives = 0;
  values.forEach((v, i) => {
    positives += labels[i];
    if (v === null) return;
    const c = counts.get(v) ?? { rows: 0, positives: 0 };
    c.rows++;
    c.positives += labels[i];
    counts.set(v, c);
  });
  const prior = values.length > 0 ? positives / values.length : 0;
  const m = options.priorWeight;
  return [...counts].map(([level, c]) => ({
    level,
    rows: c.rows,
    rate: c.rows + m > 0 ? (c.positives + m * prior) / (c.rows + m) : prior,
  })).sort((a, b) => a.rate - b.rate || (a.level < b.level ? -1 : a.level > b.level ? 1 : 0));
}

/** Median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Most frequent value; ties go to the first in sort order. */
export function mode(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
}

const round6 = (x: number) => Number(x.toFixed(6));

/** Options for {@link deriveFeatureSpecs}. */
export interface DeriveSpecsOptions {
  features: readonly FeatureConfig[];
  priorWeight: number;
  /** Per categorical feature, levels known to exist beyond those in `records`. */
  knownLevels?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Feature specs, in `features` order, from training records and their labels.
 * Throws when a numeric field is not a number or a feature has no values.
 */
export function deriveFeatureSpecs(
  records: readonly CsvRecord[],
  labels: ArrayLike<number>,
  options: DeriveSpecsOptions,
): FeatureSpec[] {
  return options.features.map((feature) => {
    const raw = records.map((r) => r[feature.name] ?? null);
    const present = raw.filter((v): v is string => v !== null);
    if (present.length === 0) throw new Error(`feature ${feature.name} has no values`);
    const missingRate = round6(1 - present.length / raw.length);
    const texts = {
      ...(feature.description ? { description: feature.description } : {}),
      ...(feature.reason ? { reason: { text: feature.reason } } : {}),
    };
    if (feature.type === "numeric") {
      const numbers = raw.flatMap((v, i) =>
        v === null ? [] : [parseNumericField(v, { row: i + 1, column: feature.name })]
      );
      return {
        name: feature.name,
        type: "numeric",
        ...texts,
        min: numbers.reduce((a, b) => Math.min(a, b)),
        max: numbers.reduce((a, b) => Math.max(a, b)),
        median: median(numbers),
        missing_rate: missingRate,
      };
    }
    const levels = orderLevels(raw, labels, {
      priorWeight: options.priorWeight,
      knownLevels: options.knownLevels?.[feature.name],
    }).map((l) => l.level);
    return {
      name: feature.name,
      type: "categorical",
      ...texts,
      levels,
      mode: mode(present),
      missing_rate: missingRate,
    };
  });
}

/** Distinct non-missing values of each categorical feature of `records`. */
export function levelsIn(
  records: readonly CsvRecord[],
  features: readonly FeatureConfig[],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of features.filter((f) => f.type === "categorical")) {
    const levels = new Set(
      records.map((r) => r[f.name]).filter((v) => v !== null && v !== undefined),
    );
    out[f.name] = [...levels as Set<string>].sort();
  }
  return out;
}
