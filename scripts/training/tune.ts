/**
 * `deno task train --tune`: hyper-parameters chosen by cross-validation on
 * the training file only (the test file is never read), the way `xgb.cv` does
 * it: for every combination of the configuration's grid, each of K stratified
 * folds is boosted up to `maxTrees` trees on the other folds while its
 * log loss is recorded after every tree; the pooled out-of-fold log loss at
 * each tree count gives the candidate's CV curve, whose minimum sets both the
 * candidate's score and its number of trees. The winner is trained on all
 * training rows with exactly that many trees (no early-stopping holdout, so
 * no row is wasted). Deterministic: folds, row sampling and the grid's order
 * come from the seed and the configuration.
 *
 * The pipeline per fold is the real one (`pipeline.ts`): level order and bins
 * are fitted on the fold's training part only.
 *
 * @module
 */
import type { CsvRecord } from "../../api/scoring/feature_csv.ts";
import { applyBins, fitBins } from "./binning.ts";
import { deriveFeatureSpecs, levelsIn } from "./feature_specs.ts";
import { stratifiedFolds } from "./folds.ts";
import { type GbdtParams, trainGbdt } from "./gbdt.ts";
import { encodeRecords, type LabelledRecords, type Progress } from "./pipeline.ts";
import type { TrainConfig } from "./train_config.ts";

/** One combination of the grid. */
export type Candidate = Pick<
  GbdtParams,
  "maxDepth" | "learningRate" | "minChildWeight" | "subsample" | "lambda"
>;

/** A candidate's cross-validation result. */
export interface CandidateResult {
  candidate: Candidate;
  /** Tree count with the lowest pooled out-of-fold log loss. */
  bestTrees: number;
  /** That log loss. */
  cvLogLoss: number;
}

/** What `--tune` found. */
export interface TuneResult {
  results: CandidateResult[];
  best: CandidateResult;
  /** The configuration with the winner's parameters, its tree count, and no early stopping. */
  config: TrainConfig;
}

/** Every combination of the grid, in a fixed order (depth, then rate, weight, subsample, lambda). */
export function gridCandidates(grid: TrainConfig["tune"]): Candidate[] {
  const out: Candidate[] = [];
  for (const maxDepth of grid.maxDepth) {
    for (const learningRate of grid.learningRate) {
      for (const minChildWeight of grid.minChildWeight) {
        for (const subsample of grid.subsample) {
          for (const lambda of grid.lambda) {
            out.push({ maxDepth, learningRate, minChildWeight, subsample, lambda });
          }
        }
      }
    }
  }
  return out;
}

function pick<T>(items: readonly T[], keep: (i: number) => boolean): T[] {
  return items.filter((_, i) => keep(i));
}

/**
 * The pooled out-of-fold log loss after each tree (index t = t + 1 trees) of
 * one candidate, over `config.cvFolds` folds of `data`.
 */
export function cvCurve(
  data: LabelledRecords,
  config: TrainConfig,
  candidate: Candidate,
  options: { maxTrees: number; onProgress?: (p: Progress) => void; label?: string } = {
    maxTrees: config.tune.maxTrees,
  },
): Float64Array {
  const { records, labels } = data;
  const folds = stratifiedFolds(labels, { k: config.cvFolds, seed: config.seed });
  const knownLevels = levelsIn(records as CsvRecord[], config.features);
  const total = new Float64Array(options.maxTrees);
  const params: GbdtParams = { ...config.gbdt, ...candidate, nTrees: options.maxTrees };
  for (let k = 0; k < config.cvFolds; k++) {
    const inFit = (i: number) => folds[i] !== k;
    const fitRecords = pick(records, inFit);
    const fitLabels = Uint8Array.from(pick([...labels], inFit));
    const validRecords = pick(records, (i) => !inFit(i));
    const validLabels = Uint8Array.from(pick([...labels], (i) => !inFit(i)));
    const specs = deriveFeatureSpecs(fitRecords, fitLabels, {
      features: config.features,
      priorWeight: config.levelPriorWeight,
      knownLevels,
    });
    const fitMatrix = encodeRecords(fitRecords, specs);
    const columns = fitBins(fitMatrix, {
      nFeatures: specs.length,
      levelCounts: specs.map((s) => (s.type === "categorical" ? s.levels.length : null)),
      maxBins: config.maxBins,
    });
    const { validationLoss } = trainGbdt(
      { binned: applyBins(fitMatrix, columns), labels: fitLabels },
      params,
      {
        validation: {
          binned: applyBins(encodeRecords(validRecords, specs), columns),
          labels: validLabels,
        },
        onTree: (trees) =>
          options.onProgress?.({
            phase: `${options.label ?? "tune"}, fold ${k + 1}/${config.cvFolds}`,
            trees,
            maxTrees: options.maxTrees,
          }),
      },
    );
    validationLoss.forEach((loss, t) => (total[t] += loss * validLabels.length));
  }
  return total.map((t) => t / records.length);
}

/** Searches the configuration's grid (see the module comment). */
export function tune(
  data: LabelledRecords,
  config: TrainConfig,
  options: { onProgress?: (p: Progress) => void; onResult?: (r: CandidateResult) => void } = {},
): TuneResult {
  const candidates = gridCandidates(config.tune);
  const results = candidates.map((candidate, i) => {
    const curve = cvCurve(data, config, candidate, {
      maxTrees: config.tune.maxTrees,
      onProgress: options.onProgress,
      label: `candidate ${i + 1}/${candidates.length}`,
    });
    let best = 0;
    for (let t = 1; t < curve.length; t++) if (curve[t] < curve[best]) best = t;
    const result = { candidate, bestTrees: best + 1, cvLogLoss: curve[best] };
    options.onResult?.(result);
    return result;
  });
  const best = results.reduce((a, b) => (b.cvLogLoss < a.cvLogLoss ? b : a));
  const c = best.candidate;
  const summary = `chosen by \`deno task train --tune\`: ${config.cvFolds}-fold CV on the ` +
    `training file only over ${results.length} candidates (depth ` +
    `${config.tune.maxDepth.join("/")}, eta ${config.tune.learningRate.join("/")}, ` +
    `min_child_weight ${config.tune.minChildWeight.join("/")}, subsample ` +
    `${config.tune.subsample.join("/")}, lambda ${config.tune.lambda.join("/")}, up to ` +
    `${config.tune.maxTrees} trees); the best pooled out-of-fold log loss ` +
    `${best.cvLogLoss.toFixed(4)} at ${best.bestTrees} trees`;
  return {
    results,
    best,
    config: {
      ...config,
      gbdt: { ...config.gbdt, ...c, nTrees: best.bestTrees },
      earlyStopping: null,
      tuning: summary,
    },
  };
}
