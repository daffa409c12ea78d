/**
 * Synthetic drift for the traffic simulator: multiply a numeric feature,
 * raise a feature's missing rate, or set a categorical level's share. Specs
 * are parsed from CLI text, checked against the feature schema and the
 * source rows once (→ a plan of per-row probabilities), then applied row by
 * row with a seeded random stream.
 *
 * @module
 */
import type { Features, FeatureValue } from "../../api/scoring/feature_vector.ts";
import type { FeatureSpec } from "../../api/scoring/model_meta.ts";
import type { Random } from "../../monitoring/seeded_random.ts";

/** A drift spec that cannot be parsed or does not fit the schema (bad usage). */
export class DriftSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DriftSpecError";
  }
}

/** One requested drift. */
export type DriftSpec =
  /** Multiply every present value of a numeric feature by `factor`. */
  | { kind: "scale"; feature: string; factor: number }
  /** Make `share` of all rows miss the feature (only raising is possible). */
  | { kind: "missing"; feature: string; share: number }
  /** Make `level` hold `share` of the rows where the feature is present. */
  | { kind: "shift"; feature: string; level: string; share: number }
  /**
   * Give each row the feature's value of another, random source row: a
   * broken join. The feature's distribution is unchanged, its relation to
   * every other feature is gone.
   */
  | { kind: "decouple"; feature: string };

/** A step of a {@link DriftPlan}: a spec turned into per-row probabilities. */
export type DriftStep =
  | { kind: "scale"; feature: string; factor: number }
  /** Blank a present value with this probability. */
  | { kind: "missing"; feature: string; probability: number }
  /**
   * Move a present non-`level` value to `level` with `toLevel`, or a `level`
   * value to another level with `fromLevel` (drawn by the other levels'
   * source shares, `others` cumulative).
   */
  | {
    kind: "shift";
    feature: string;
    level: string;
    toLevel: number;
    fromLevel: number;
    others: { level: string; cumulative: number }[];
  };

/** A decouple step: the source's values of the feature, drawn from at random. */
type DecoupleStep = { kind: "decouple"; feature: string; values: (FeatureValue | undefined)[] };

/** The checked drift, ready to apply. */
export interface DriftPlan {
  readonly steps: readonly (DriftStep | DecoupleStep)[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function splitSpec(flag: string, text: string): [string, string] {
  const eq = text.indexOf("=");
  if (eq <= 0 || eq === text.length - 1) {
    throw new DriftSpecError(`--${flag} ${JSON.stringify(text)}: expected FEATURE=VALUE`);
  }
  return [text.slice(0, eq), text.slice(eq + 1)];
}

function parseNumber(flag: string, text: string, value: string): number {
  if (!NUMBER.test(value)) {
    throw new DriftSpecError(
      `--${flag} ${JSON.stringify(text)}: ${JSON.stringify(value)} is not a number`,
    );
  }
  return Number(value);
}

function parseShare(flag: string, text: string, value: string): number {
  const share = parseNumber(flag, text, value);
  if (share < 0 || share > 1) {
    throw new DriftSpecError(`--${flag} ${JSON.stringify(text)}: share must be between 0 and 1`);
  }
  return share;
}

/** Parses `--scale FEATURE=FACTOR` (factor > 0), e.g. `Income=1.5`. */
export function parseScaleSpec(text: string): DriftSpec {
  const [feature, value] = splitSpec("scale", text);
  const factor = parseNumber("scale", text, value);
  if (!(factor > 0)) {
    throw new DriftSpecError(`--scale ${JSON.stringify(text)}: factor must be > 0`);
  }
  return { kind: "scale", feature, factor };
}

/** Parses `--missing FEATURE=SHARE`, e.g. `Income=0.3`. */
export function parseMissingSpec(text: string): DriftSpec {
  const [feature, value] = splitSpec("missing", text);
  return { kind: "missing", feature, share: parseShare("missing", text, value) };
}

/** Parses `--shift FEATURE=LEVEL:SHARE`, e.g. `Home=rent:0.5`. */
export function parseShiftSpec(text: string): DriftSpec {
  const [feature, value] = splitSpec("shift", text);
  const colon = value.lastIndexOf(":");
  if (colon <= 0) {
    throw new DriftSpecError(`--shift ${JSON.stringify(text)}: expected FEATURE=LEVEL:SHARE`);
  }
  return {
    kind: "shift",
    feature,
    level: value.slice(0, colon),
    share: parseShare("shift", text, value.slice(colon + 1)),
  };
}

function specFor(features: readonly FeatureSpec[], name: string, flag: string): FeatureSpec {
  const spec = features.find((f) => f.name === name);
  if (spec === undefined) {
    throw new DriftSpecError(
      `--${flag}: unknown feature ${JSON.stringify(name)} ` +
        `(expected one of ${features.map((f) => f.name).join(", ")})`,
    );
  }
  return spec;
}

function isMissing(v: FeatureValue | undefined): boolean {
  return v === null || v === undefined;
}

/** Parses `--decouple FEATURE`. */
export function parseDecoupleSpec(text: string): DriftSpec {
  if (text.trim() === "" || text.includes("=")) {
    throw new DriftSpecError(`--decouple ${JSON.stringify(text)}: expected a feature name`);
  }
  return { kind: "decouple", feature: text };
}

function planStep(
  spec: DriftSpec,
  features: readonly FeatureSpec[],
  source: readonly Features[],
): DriftStep | DecoupleStep {
  const feature = specFor(features, spec.feature, spec.kind);
  const values = source.map((row) => row[spec.feature]);
  if (spec.kind === "decouple") return { kind: "decouple", feature: spec.feature, values };
  if (spec.kind === "scale") {
    if (feature.type !== "numeric") {
      throw new DriftSpecError(
        `--scale: ${spec.feature} is categorical; --scale needs a numeric feature`,
      );
    }
    return spec;
  }
  if (spec.kind === "missing") {
    const base = values.filter(isMissing).length / Math.max(1, values.length);
    if (spec.share < base) {
      throw new DriftSpecError(
        `--missing ${spec.feature}=${spec.share}: below the source's missing rate ` +
          `${base.toFixed(3)}; only raising it is supported`,
      );
    }
    // Present values are blanked with p so that base + (1 − base)·p = share.
    const probability = base >= 1 ? 0 : (spec.share - base) / (1 - base);
    return { kind: "missing", feature: spec.feature, probability };
  }
  if (feature.type !== "categorical") {
    throw new DriftSpecError(
      `--shift: ${spec.feature} is numeric; --shift needs a categorical feature`,
    );
  }
  if (!feature.levels.includes(spec.level)) {
    throw new DriftSpecError(
      `--shift: ${spec.feature} has no level ${JSON.stringify(spec.level)} ` +
        `(levels: ${feature.levels.join(", ")})`,
    );
  }
  const present = values.filter((v) => !isMissing(v)) as FeatureValue[];
  const counts = new Map<string, number>();
  for (const v of present) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  const base = (counts.get(spec.level) ?? 0) / Math.max(1, present.length);
  const otherTotal = present.length - (counts.get(spec.level) ?? 0);
  if (spec.share < base && otherTotal === 0) {
    throw new DriftSpecError(
      `--shift: the source has no ${spec.feature} level other than ${spec.level}`,
    );
  }
  let cumulative = 0;
  const others = [...counts].filter(([level]) => level !== spec.level).map(([level, n]) => {
    cumulative += n / otherTotal;
    return { level, cumulative };
  });
  return {
    kind: "shift",
    feature: spec.feature,
    level: spec.level,
    // Raising: other rows join the level with p, so base + (1 − base)·p = share.
    toLevel: spec.share > base ? (spec.share - base) / (1 - base) : 0,
    // Lowering: level rows leave it with p, so base·(1 − p) = share.
    fromLevel: spec.share < base ? (base - spec.share) / base : 0,
    others,
  };
}

/**
 * Checks the specs against the schema and turns them into per-row
 * probabilities computed from the source rows' own rates, so that the drifted
 * sample reaches the requested shares in expectation.
 */
export function planDrift(
  specs: readonly DriftSpec[],
  options: { features: readonly FeatureSpec[]; source: readonly Features[] },
): DriftPlan {
  return { steps: specs.map((s) => planStep(s, options.features, options.source)) };
}

function applyStep(
  step: DriftStep | DecoupleStep,
  row: Record<string, FeatureValue | undefined>,
  rng: Random,
): void {
  if (step.kind === "decouple") {
    row[step.feature] = step.values[rng.int(0, step.values.length - 1)];
    return;
  }
  const value = row[step.feature];
  if (isMissing(value)) return;
  if (step.kind === "scale") {
    row[step.feature] = (value as number) * step.factor;
  } else if (step.kind === "missing") {
    if (rng.next() < step.probability) row[step.feature] = null;
  } else if (value === step.level) {
    if (rng.next() < step.fromLevel) {
      const u = rng.next();
      row[step.feature] = (step.others.find((o) => u < o.cumulative) ?? step.others.at(-1))!.level;
    }
  } else if (rng.next() < step.toLevel) {
    row[step.feature] = step.level;
  }
}

/** Applies the plan to one row; returns a new row (the input is not changed). */
export function applyDrift(plan: DriftPlan, row: Features, rng: Random): Features {
  if (plan.steps.length === 0) return row;
  const out: Record<string, FeatureValue | undefined> = { ...row };
  for (const step of plan.steps) applyStep(step, out, rng);
  return out;
}
