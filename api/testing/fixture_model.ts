/**
 * A small, hand-built model with the credit data's feature schema, for tests
 * that must not depend on the trained artifacts. Its scores are known in
 * closed form (see {@link fixtureLogOdds}).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { encodeEnsemble, ONNX_IO, TREE_NODE_NAME } from "../scoring/onnx_tree_codec.ts";
import {
  type FeatureSpec,
  type ModelMeta,
  ordinalColumns,
  REFERENCE_FILE,
} from "../scoring/model_meta.ts";
import type { Tree, TreeEnsemble } from "../scoring/tree_ensemble.ts";

const numeric = (name: string, min: number, max: number, median: number): FeatureSpec => ({
  name,
  type: "numeric",
  min,
  max,
  median,
  missing_rate: 0,
  reason: { text: `${name} value` },
});

const categorical = (name: string, levels: string[]): FeatureSpec => ({
  name,
  type: "categorical",
  levels,
  mode: levels[0],
  missing_rate: 0,
  reason: { text: `${name} level` },
});

/** The credit data's 13 features, in the model's column order. */
export const FIXTURE_FEATURES: FeatureSpec[] = [
  numeric("Seniority", 0, 48, 5),
  categorical("Home", ["ignore", "other", "owner", "parents", "priv", "rent"]),
  numeric("Time", 6, 72, 48),
  numeric("Age", 18, 68, 36),
  categorical("Marital", ["divorced", "married", "separated", "single", "widow"]),
  categorical("Records", ["no", "yes"]),
  categorical("Job", ["fixed", "freelance", "others", "partime"]),
  numeric("Expenses", 35, 180, 51),
  numeric("Income", 6, 959, 125),
  numeric("Assets", 0, 300000, 3000),
  numeric("Debt", 0, 30000, 0),
  numeric("Amount", 100, 5000, 1000),
  numeric("Price", 105, 11140, 1400),
];

const col = (name: string) => FIXTURE_FEATURES.findIndex((f) => f.name === name);

function stump(
  feature: number,
  threshold: number,
  missingLeft: boolean,
  lr: [number, number],
): Tree {
  return {
    feature: [feature, -1, -1],
    threshold: [threshold, 0, 0],
    left: [1, -1, -1],
    right: [2, -1, -1],
    missingLeft: [missingLeft, false, false],
    value: [0, Math.fround(lr[0]), Math.fround(lr[1])],
    cover: [100, 60, 40],
  };
}

/**
 * Three stumps: Records = yes (+1), Income < 100 or missing (+0.75),
 * Seniority < 3 (+0.5), on a base score of -1.5.
 */
export const FIXTURE_ENSEMBLE: TreeEnsemble = {
  baseScore: Math.fround(-1.5),
  nFeatures: FIXTURE_FEATURES.length,
  trees: [
    stump(col("Records"), 0.5, false, [0, 1]),
    stump(col("Income"), 100, true, [0.75, 0]),
    stump(col("Seniority"), 3, false, [0.5, 0]),
  ],
};

/** The fixture's log-odds for a feature row, computed by hand from the stumps. */
export function fixtureLogOdds(row: Record<string, unknown>): number {
  const income = row.Income;
  const lowIncome = income === null || income === undefined || (income as number) < 100;
  return -1.5 + (row.Records === "yes" ? 1 : 0) + (lowIncome ? 0.75 : 0) +
    ((row.Seniority as number) < 3 ? 0.5 : 0);
}

/** Options for {@link writeFixtureModel}. */
export interface FixtureOptions {
  threshold?: number;
  modelVersion?: string;
}

/**
 * Writes `model.onnx` + `model_meta.json` (schema version 2) for the fixture
 * into `dir`; no reference sample (tests that need one write it).
 */
export async function writeFixtureModel(
  dir: string,
  options: FixtureOptions = {},
): Promise<ModelMeta> {
  const bytes = encodeEnsemble(FIXTURE_ENSEMBLE);
  const metrics = {
    n_rows: 891,
    default_rate: 0.28,
    roc_auc: 0.7,
    brier: 0.18,
    log_loss: 0.55,
    cost: 700,
    flagged_rate: 0.5,
  };
  const meta: ModelMeta = {
    schema_version: 2,
    model_version: options.modelVersion ?? "fixture-0001",
    model_type: "fixture",
    name: "fixture model",
    features: FIXTURE_FEATURES,
    columns: ordinalColumns(FIXTURE_FEATURES),
    onnx: {
      file: "model.onnx",
      sha256: createHash("sha256").update(bytes).digest("hex"),
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
      covers: { source: "onnx_hitrates" },
    },
    reference: { file: REFERENCE_FILE, rows: 0, scores: "out_of_fold" },
    provenance: { source: "trained" },
    target: { name: "Status", positive_label: "bad", negative_label: "good" },
    threshold: options.threshold ?? 0.3,
    cost_matrix: { false_negative: 10, false_positive: 1, true_positive: 0, true_negative: 0 },
    training: {},
    dataset: {},
    metrics: { test: metrics },
  };
  await Deno.writeFile(join(dir, "model.onnx"), bytes);
  await Deno.writeTextFile(join(dir, "model_meta.json"), JSON.stringify(meta, null, 2));
  return meta;
}
