/**
 * Model-agnostic reason codes for graphs that are neither tree ensembles nor
 * linear (networks, pipelines with a row normaliser, …): Shapley values
 * estimated by permutation sampling (Štrumbelj & Kononenko 2014, "Explaining
 * prediction models and individual predictions with feature contributions"),
 * in log-odds, against a fixed set of background rows of the reference
 * sample (the interventional game: an "absent" feature takes the background
 * row's value).
 *
 * For each background row b and each permutation π of the raw features, a
 * chain starts at b and switches the features to the applicant's values in
 * the order π, one feature (all its one-hot columns) at a time; each step's
 * change of the model's log-odds is that feature's marginal contribution.
 * Contributions are the means over all chains. The chains telescope, so the
 * estimate is exactly additive: `base + Σ contributions = logit(f(x))` with
 * `base` = the mean log-odds of the background rows (fixed per model).
 *
 * Deterministic: the permutations come from the metadata's seed (half drawn,
 * half their reverses — antithetic pairs, which cancel much of the ordering
 * noise), the same for every row. Cost: `B · K · (M − 1) + 1` model rows per
 * explained row (B background rows, K permutations, M features), scored in
 * one ONNX run; measured at import and written to the model card.
 * Hand-written: the method is a few loops around the model's own scorer, and
 * the npm ports of SHAP need Python or TensorFlow.
 *
 * @module
 */
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { mersenne } from "pure-rand/generator/mersenne";
import type { Attributor } from "./attribution.ts";
import type { ColumnEncoder, Features } from "./feature_vector.ts";
import type { ReasonsSpec } from "./model_meta.ts";

type SamplingSpec = Extract<ReasonsSpec, { method: "sampling" }>;

/** Probabilities are kept within [ε, 1 − ε] before the logit (a float32 sigmoid can give 0 or 1). */
export const LOGIT_EPSILON = 1e-9;

/** The link from a probability to the units of the contributions. */
export function toUnits(units: SamplingSpec["units"], p: number): number {
  if (units === "probability") return p;
  const q = Math.min(Math.max(p, LOGIT_EPSILON), 1 - LOGIT_EPSILON);
  return Math.log(q / (1 - q));
}

/** `k` permutations of `0 … m − 1` from `seed`: ⌈k/2⌉ drawn, then their reverses. */
export function antitheticPermutations(m: number, k: number, seed: number): number[][] {
  const rng = mersenne(seed);
  const drawn: number[][] = [];
  for (let i = 0; i < Math.ceil(k / 2); i++) {
    const p = Array.from({ length: m }, (_, j) => j);
    for (let j = m - 1; j > 0; j--) {
      const r = uniformInt(rng, 0, j);
      [p[j], p[r]] = [p[r], p[j]];
    }
    drawn.push(p);
  }
  return [...drawn, ...drawn.map((p) => [...p].reverse())].slice(0, k);
}

/** Model rows scored per explained row: `B · K · (M − 1) + 1`. */
export function evaluationsPerRow(background: number, permutations: number, features: number) {
  return background * permutations * Math.max(features - 1, 0) + 1;
}

/** The attributor of a `sampling` spec (see the module comment). */
export function samplingAttributor(
  spec: SamplingSpec,
  source: {
    encoder: ColumnEncoder;
    features: number;
    background: readonly Features[];
    score: (matrix: Float32Array) => Promise<Float64Array>;
  },
): Attributor {
  const { encoder } = source;
  const width = encoder.width;
  const m = source.features;
  const groups: number[][] = Array.from({ length: m }, () => []);
  encoder.featureOfColumn.forEach((f, j) => groups[f].push(j));
  const perms = antitheticPermutations(m, spec.permutations, spec.seed);
  const bg = encoder.encode(source.background);
  const nBg = source.background.length;
  const g = (p: number) => toUnits(spec.units, p);
  let baseline: Promise<{ base: number; gBg: Float64Array }> | undefined;
  const baselineOf = () =>
    baseline ??= source.score(bg).then((scores) => {
      const gBg = Float64Array.from(scores, g);
      return { base: gBg.reduce((s, v) => s + v, 0) / nBg, gBg };
    });

  return async (rows) => {
    const { base, gBg } = await baselineOf();
    const out = new Float64Array(rows.length * m);
    const steps = Math.max(m - 1, 0);
    const chains = nBg * perms.length;
    const z = new Float32Array((chains * steps + 1) * width);
    for (let r = 0; r < rows.length; r++) {
      const x = encoder.encode([rows[r]]);
      let at = 0;
      for (let b = 0; b < nBg; b++) {
        for (const perm of perms) {
          const row = bg.slice(b * width, (b + 1) * width);
          for (let k = 0; k < steps; k++) {
            for (const j of groups[perm[k]]) row[j] = x[j];
            z.set(row, at);
            at += width;
          }
        }
      }
      z.set(x, at);
      const scores = await source.score(z);
      const gx = g(scores[chains * steps]);
      const phi = out.subarray(r * m, (r + 1) * m);
      let i = 0;
      for (let b = 0; b < nBg; b++) {
        for (const perm of perms) {
          let prev = gBg[b];
          for (let k = 0; k < m; k++) {
            const cur = k < steps ? g(scores[i++]) : gx;
            phi[perm[k]] += cur - prev;
            prev = cur;
          }
        }
      }
      for (let f = 0; f < m; f++) phi[f] /= chains;
    }
    return { base, contributions: out };
  };
}
