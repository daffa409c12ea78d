/**
 * Assembles `model_meta.json` (schema version 2) from a training run, and
 * serialises it byte-stably: keys in a fixed order (the order they are built
 * in here), metrics rounded to 6 decimals, no timestamps, and a
 * `model_version` that is a hash of everything else in the file (so it
 * changes exactly when the model, its encoding or its threshold change).
 * `metaJson` and `versionedMeta` serve the import task too.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { EvalMetrics, FeatureSpec, ModelMeta } from "../../api/scoring/model_meta.ts";
import {
  ordinalColumns,
  parseModelMeta,
  REFERENCE_FILE,
  SCHEMA_VERSION,
} from "../../api/scoring/model_meta.ts";
import { ONNX_IO, TREE_NODE_NAME } from "../../api/scoring/onnx_tree_codec.ts";
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
  test: DatasetFile | null;
  /** Trees in the final model, and what early stopping found (null: none). */
  trees: number;
  earlyStopping: { trees: number; validationLogLoss: number } | null;
  metrics: { test?: EvalMetrics; cv: EvalMetrics };
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
  const es = config.earlyStopping;
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
    early_stopping: es === null || inputs.earlyStopping === null ? null : {
      max_trees: p.nTrees,
      validation_fraction: es.validationFraction,
      rounds: es.rounds,
      best_trees: inputs.earlyStopping.trees,
      validation_log_loss: inputs.earlyStopping.validationLogLoss,
      refit_on_all_rows: es.refit,
    },
    missing_values: "NaN; every split learns the side missing values take",
    categorical_handling: {
      encoding: "ordinal: the column holds the level's code (its index in `levels`)",
      level_order: "ascending smoothed training default rate (bad + m·prior) / (n + m), " +
        "so x < t splits group levels by risk (Fisher ordering)",
      prior_weight_m: config.levelPriorWeight,
    },
    cross_fitting: {
      folds: config.cvFolds,
      use: "out-of-fold scores for the threshold, the cv metrics and the drift reference sample",
    },
    tuning: config.tuning,
    threshold: inputs.threshold,
  };
}

/**
 * Sets `model_version` to `<prefix>-` + 12 hex of the sha256 of the file's
 * text with an empty version, validates the JSON as the API will read it, and
 * returns the same object (its key order is the one written).
 */
export function versionedMeta(meta: ModelMeta, prefix: string): ModelMeta {
  meta.model_version = "";
  meta.model_version = `${prefix}-${sha256Hex(metaJson(meta)).slice(0, 12)}`;
  // Validate the JSON as the API will read it, but keep this object: the parsed
  // copy has the schema's key order, this one the order built here.
  parseModelMeta(JSON.parse(metaJson(meta)), "generated model metadata");
  return meta;
}

/** Builds and validates the metadata of a model trained here. */
export function buildModelMeta(inputs: MetaInputs): ModelMeta {
  const { config } = inputs;
  const meta: ModelMeta = {
    schema_version: SCHEMA_VERSION as 2,
    model_version: "",
    model_type: "gbdt",
    name: config.name,
    features: inputs.specs,
    columns: ordinalColumns(inputs.specs),
    onnx: {
      file: inputs.onnx.file,
      sha256: inputs.onnx.sha256,
      external_data: [],
      input_name: ONNX_IO.input,
      output_name: ONNX_IO.proba,
      output_column: 0,
    },
    reasons: {
      method: "tree_shap",
      units: "log_odds",
      node: TREE_NODE_NAME,
      plus: [0],
      minus: [],
      covers: {
        source: "onnx_hitrates",
        note: "hessian sums of the training rows that reached each node",
      },
    },
    reference: { file: REFERENCE_FILE, rows: inputs.train.rows, scores: "out_of_fold" },
    provenance: {
      source: "trained",
      trainer: "scripts/training/gbdt.ts",
      config: config.source,
    },
    target: config.target,
    threshold: inputs.threshold.threshold,
    cost_matrix: config.costMatrix,
    training: roundNumbers(trainingSection(inputs)),
    dataset: roundNumbers({
      ...inputs.train,
      test: inputs.test,
    }),
    metrics: roundNumbers(inputs.metrics),
  };
  return versionedMeta(meta, "gbdt");
}
