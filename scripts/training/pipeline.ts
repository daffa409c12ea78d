/**
 * The model pipeline from CSV records to a fitted model, and the
 * cross-fitting that gives honest (out-of-fold) scores for every training row.
 *
 * `fitModel` = feature specs from the records (levels ordered by default
 * rate) → the API's feature encoding (`recordToFeatures` + `encodeRows`, one
 * ordinal column per categorical feature) → histogram bins → boosting with
 * early stopping on a stratified holdout part, then (optionally) a refit on
 * all rows with the number of trees found; or, without early stopping,
 * exactly the configured number of trees on all rows.
 *
 * @module
 */
import type { CsvRecord } from "../../api/scoring/feature_csv.ts";
import { recordToFeatures } from "../../api/scoring/feature_csv.ts";
import { encodeRows } from "../../api/scoring/feature_vector.ts";
import type { FeatureSpec } from "../../api/scoring/model_meta.ts";
import { predictProba, type TreeEnsemble } from "../../api/scoring/tree_ensemble.ts";
import { applyBins, fitBins } from "./binning.ts";
import { deriveFeatureSpecs, levelsIn } from "./feature_specs.ts";
import { stratifiedFolds, stratifiedHoldout } from "./folds.ts";
import { trainGbdt } from "./gbdt.ts";
import type { TrainConfig } from "./train_config.ts";

/** A trained model: its feature specs (the encoding) and its trees. */
export interface FittedModel {
  specs: FeatureSpec[];
  ensemble: TreeEnsemble;
  /** Trees early stopping kept on the holdout part, and that part's log loss there (null: none). */
  earlyStopping: { trees: number; validationLogLoss: number } | null;
}

/** Progress of a training run, reported after every tree. */
export interface Progress {
  /** What is being trained, e.g. "fold 2/5: early stopping". */
  phase: string;
  trees: number;
  /** Most trees this phase may grow. */
  maxTrees: number;
}

/** Options for {@link fitModel} and {@link crossFitPredictions}. */
export interface FitOptions {
  /** Levels that exist beyond those in the records (see `deriveFeatureSpecs`). */
  knownLevels?: Record<string, string[]>;
  /** Prefix of the progress phase names. */
  label?: string;
  onProgress?: (progress: Progress) => void;
}

/** Training records and their labels (1 = positive). */
export interface LabelledRecords {
  records: readonly CsvRecord[];
  labels: Uint8Array;
}

/** Labels of the target column: 1 = positive label, 0 = negative; anything else throws. */
export function labelsOf(records: readonly CsvRecord[], target: TrainConfig["target"]): Uint8Array {
  return Uint8Array.from(records, (r, i) => {
    const v = r[target.name];
    if (v === target.positive_label) return 1;
    if (v === target.negative_label) return 0;
    throw new Error(`row ${i + 1}, column "${target.name}": unexpected label ${JSON.stringify(v)}`);
  });
}

/** Encodes records with feature specs into the model's row-major input matrix. */
export function encodeRecords(
  records: readonly CsvRecord[],
  specs: readonly FeatureSpec[],
): Float32Array {
  return encodeRows(specs, records.map((r, i) => recordToFeatures(r, specs, { row: i + 1 })));
}

function pick<T>(items: ArrayLike<T>, keep: (i: number) => boolean): T[] {
  return Array.from(items).filter((_, i) => keep(i));
}

/** The given rows of a row-major matrix, and their labels. */
function selectRows(
  data: { matrix: Float32Array; labels: Uint8Array; width: number },
  rows: readonly number[],
): { matrix: Float32Array; labels: Uint8Array } {
  const { matrix, labels, width } = data;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, k) => out.set(matrix.subarray(r * width, (r + 1) * width), k * width));
  return { matrix: out, labels: Uint8Array.from(rows, (r) => labels[r]) };
}

/** Fits specs and trees on labelled records (see the module comment). */
export function fitModel(
  data: LabelledRecords,
  config: TrainConfig,
  options: FitOptions = {},
): FittedModel {
  const { records, labels } = data;
  const specs = deriveFeatureSpecs(records, labels, {
    features: config.features,
    priorWeight: config.levelPriorWeight,
    knownLevels: options.knownLevels,
  });
  const matrix = encodeRecords(records, specs);
  // Bins come from all rows, holdout included: they use no labels.
  const columns = fitBins(matrix, {
    nFeatures: specs.length,
    levelCounts: specs.map((s) => (s.type === "categorical" ? s.levels.length : null)),
    maxBins: config.maxBins,
  });
  const label = options.label ? `${options.label}: ` : "";
  const report = (phase: string, maxTrees: number) => (trees: number) =>
    options.onProgress?.({ phase: `${label}${phase}`, trees, maxTrees });
  const es = config.earlyStopping;
  if (es === null) {
    const { ensemble } = trainGbdt({ binned: applyBins(matrix, columns), labels }, config.gbdt, {
      onTree: report("all rows", config.gbdt.nTrees),
    });
    return { specs, ensemble, earlyStopping: null };
  }
  const holdout = stratifiedHoldout(labels, { fraction: es.validationFraction, seed: config.seed });
  const all = { matrix, labels, width: specs.length };
  const rowIds = records.map((_, i) => i);
  const fit = selectRows(all, pick(rowIds, (i) => !holdout[i]));
  const valid = selectRows(all, pick(rowIds, (i) => holdout[i]));
  const stopped = trainGbdt(
    { binned: applyBins(fit.matrix, columns), labels: fit.labels },
    config.gbdt,
    {
      validation: { binned: applyBins(valid.matrix, columns), labels: valid.labels },
      earlyStoppingRounds: es.rounds,
      onTree: report("early stopping", config.gbdt.nTrees),
    },
  );
  const trees = stopped.ensemble.trees.length;
  const earlyStopping = { trees, validationLogLoss: stopped.validationLoss[trees - 1] };
  if (!es.refit) return { specs, ensemble: stopped.ensemble, earlyStopping };
  const refit = trainGbdt(
    { binned: applyBins(matrix, columns), labels },
    { ...config.gbdt, nTrees: trees },
    { onTree: report("refit on all rows", trees) },
  );
  return { specs, ensemble: refit.ensemble, earlyStopping };
}

/** Scores records with a fitted model (in memory, float32 inputs like ONNX). */
export function predictRecords(model: FittedModel, records: readonly CsvRecord[]): Float64Array {
  return predictProba(model.ensemble, encodeRecords(records, model.specs));
}

/**
 * Out-of-fold scores: the training rows are split into `config.cvFolds`
 * stratified folds, and each fold is scored by a model fitted (specs, level
 * order, trees) on the other folds only.
 */
export function crossFitPredictions(
  data: LabelledRecords,
  config: TrainConfig,
  options: FitOptions = {},
): Float64Array {
  const { records, labels } = data;
  const folds = stratifiedFolds(labels, { k: config.cvFolds, seed: config.seed });
  const knownLevels = levelsIn(records, config.features);
  const oof = new Float64Array(records.length);
  for (let k = 0; k < config.cvFolds; k++) {
    const model = fitModel(
      {
        records: pick(records, (i) => folds[i] !== k),
        labels: Uint8Array.from(pick(labels, (i) => folds[i] !== k)),
      },
      config,
      { ...options, knownLevels, label: `fold ${k + 1}/${config.cvFolds}` },
    );
    const held = pick(records.map((_, i) => i), (i) => folds[i] === k);
    const scores = predictRecords(model, held.map((i) => records[i]));
    held.forEach((row, j) => (oof[row] = scores[j]));
  }
  return oof;
}
