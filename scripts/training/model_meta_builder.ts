/**
 * Assembles `artifacts/model_meta.json` from a training run, and serialises it
 * byte-stably: keys in a fixed order (the order they are built in here),
 * metrics rounded to 6 decimals, no timestamps, and a `model_version` that is
 * a hash of everything else in the file (so it changes exactly when the
 * model, its encoding or its threshold change).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { EvalMetrics, FeatureSpec, ModelMeta } from "../../api/scoring/model_meta.ts";
import { parseModelMeta } from "../../api/scoring/model_meta.ts";
import { ONNX_IO } from "../../api/scoring/onnx_tree_codec.ts";
import type { ThresholdDecision } from "./threshold.ts";
import type { TrainConfig } from "./train_config.ts";

/** A data file and its fingerprint. */
export interface DatasetFile {
  file: string;
  sha256: string;
  rows: number;
  default_rate: number;
}

/** What a training run produced, to be described by the metadata. */
export interface MetaInputs {
  config: TrainConfig;
  specs: FeatureSpec[];
  onnx: { file: string; sha256: string };
  threshold: ThresholdDecision;
  train: DatasetFile;
  test: DatasetFile;
  /** Trees in the final model, and what early stopping found. */
  trees: number;
  earlyStopping: { trees: number; validationLogLoss: number };
  metrics: { test: EvalMetrics; cv: EvalMetrics };
}

/** Rounds every non-integer number in a JSON-like value to `digits` decimals. */
export function roundNumbers<T>(value: T, digits = 6): T {
  if (typeof value === "number") {
    return (Number.isInteger(value) ? value : Number(value.toFixed(digits))) as T;
  }
  if (Array.isArray(value)) return value.map((v) => roundNumbers(v, digits)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, roundNumbers(v, digits)]),
    ) as T;
  }
  return value;
}

/** sha256 of bytes or text, hex. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The JSON text of the metadata, as written to disk. */
export function metaJson(meta: ModelMeta): string {
  return `${JSON.stringify(meta, null, 2)}\n`;
}

function trainingSection(inputs: MetaInputs): Record<string, unknown> {
  const { config } = inputs;
  const p = config.gbdt;
  return {
    algorithm: "gradient-boosted decision trees, XGBoost-style histogram method " +
      "(scripts/training/gbdt.ts)",
    objective: "binary log loss",
    n_trees: inputs.trees,
    learning_rate: p.learningRate,
    max_depth: p.maxDepth,
    lambda: p.lambda,
    gamma: p.gamma,
    min_child_weight: p.minChildWeight,
    subsample: p.subsample,
    max_bins: config.maxBins,
    seed: config.seed,
    early_stopping: {
      max_trees: p.nTrees,
      validation_fraction: config.earlyStopping.validationFraction,
      rounds: config.earlyStopping.rounds,
      best_trees: inputs.earlyStopping.trees,
      validation_log_loss: inputs.earlyStopping.validationLogLoss,
      refit_on_all_rows: config.earlyStopping.refit,
    },
    missing_values: "NaN; every split learns the side missing values take",
    categorical_handling: {
      encoding: "ordinal: the column holds the level's index in `levels`",
      level_order: "ascending smoothed training default rate (bad + m·prior) / (n + m), " +
        "so x < t splits group levels by risk (Fisher ordering)",
      prior_weight_m: config.levelPriorWeight,
    },
    cross_fitting: {
      folds: config.cvFolds,
      use: "out-of-fold scores for the threshold, the cv metrics and the drift reference sample",
    },
    tuning: "small grid checked by 5-fold CV on train.csv only (scripts/training/tune.ts): " +
      "depth 2-3, eta 0.02-0.05, min_child_weight 1-5, lambda 1-5 and refit on/off were all " +
      "within 0.003 out-of-fold log loss, subsample 1 was worse; the values of the data " +
      "README's CV search were kept. test.csv is used once, for metrics.test",
    threshold: inputs.threshold,
  };
}

/**
 * Builds and validates the metadata; `model_version` is `gbdt-` + 12 hex of
 * the sha256 of the file's text with an empty version.
 */
export function buildModelMeta(inputs: MetaInputs): ModelMeta {
  const { config } = inputs;
  const meta: ModelMeta = {
    schema_version: 1,
    model_version: "",
    model_type: "gbdt",
    onnx: {
      file: inputs.onnx.file,
      input_name: ONNX_IO.input,
      output_name: ONNX_IO.proba,
      output_column: 0,
      sha256: inputs.onnx.sha256,
    },
    features: inputs.specs,
    target: config.target,
    threshold: inputs.threshold.threshold,
    cost_matrix: config.costMatrix,
    training: roundNumbers(trainingSection(inputs)),
    dataset: roundNumbers({
      ...inputs.train,
      test: inputs.test,
      split: "fixed stratified 80/20 split shipped with the data (see data/credit_data/README.md)",
    }),
    metrics: roundNumbers(inputs.metrics),
  };
  meta.model_version = `gbdt-${sha256Hex(metaJson(meta)).slice(0, 12)}`;
  // Validate the JSON as the API will read it, but keep this object: the parsed
  // copy has the schema's key order, this one the order built above.
  parseModelMeta(JSON.parse(metaJson(meta)), "generated model metadata");
  return meta;
}
