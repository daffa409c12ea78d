/**
 * The training configuration file of `deno task train --config FILE.json`:
 * data files, target and positive label, features (types inferred from the
 * data when not given), business costs, hyper-parameters, seed, the grid
 * `--tune` searches, and the texts of the model card. Changing a value
 * changes the artifacts; nothing else feeds a training run. The bundled
 * model's file is `data/credit_data/train_config.json`.
 *
 * ```json
 * {
 *   "name": "credit default model",
 *   "seed": 42,
 *   "data": { "train": "train.csv", "test": "test.csv" },
 *   "target": { "name": "loan_status", "positive_label": "Charged Off" },
 *   "costs": { "false_negative": 10, "false_positive": 1 },
 *   "features": [{ "name": "dti", "reason": "Debt-to-income ratio is high" }]
 * }
 * ```
 *
 * Paths are relative to the configuration file. Without `features`, every
 * column but the target is a feature; a feature's type is `numeric` when
 * every present value is a decimal number, else `categorical`. Without
 * `negative_label`, the target must hold exactly two labels. Every other
 * field has a default (see {@link TrainConfigFileSchema}).
 *
 * @module
 */
import { dirname, isAbsolute, join, normalize } from "node:path";
import { z } from "zod";
import type { CsvTable } from "../../api/scoring/feature_csv.ts";
import type { CostMatrix } from "../../api/scoring/model_meta.ts";
import type { GbdtParams } from "./gbdt.ts";

/** A feature to train on, before statistics are taken from the data. */
export interface FeatureConfig {
  name: string;
  type: "numeric" | "categorical";
  /** Short description for API docs and the site. */
  description?: string;
  /** Reason-code sentence shown when the feature pushes towards default. */
  reason?: string;
}

/** The hyper-parameter grid `--tune` searches (every combination). */
export interface TuneGrid {
  maxDepth: number[];
  learningRate: number[];
  minChildWeight: number[];
  subsample: number[];
  lambda: number[];
  /** Most trees per candidate; the number of trees is chosen by the CV curve. */
  maxTrees: number;
}

/** Texts of the model card that only the data's owner can write. */
export interface ModelCardTexts {
  /** What a positive outcome means, e.g. "the applicant defaults". */
  outcome: string;
  /** Where the data comes from and how it was split. */
  data: string;
  intendedUse: string[];
  limitations: string[];
  /** Other models' results on the same data, for comparison. */
  referencePoints: string;
}

/** The whole training configuration, resolved (paths, features, defaults). */
export interface TrainConfig {
  /** What the model is, in a few words (the model card's title). */
  name: string;
  seed: number;
  /** Data files (resolved paths); without `test`, there are no held-out metrics. */
  data: { train: string; test: string | null };
  target: { name: string; positive_label: string; negative_label: string };
  /** Features in model input order. */
  features: FeatureConfig[];
  /** Booster parameters; `nTrees` is the cap that early stopping works under. */
  gbdt: GbdtParams;
  /** Most histogram bins per numeric feature. */
  maxBins: number;
  /** Early stopping on a holdout part; null: exactly `gbdt.nTrees` trees. */
  earlyStopping: {
    /** Share of the training rows held out to pick the number of trees. */
    validationFraction: number;
    /** Trees without improvement before stopping. */
    rounds: number;
    /**
     * Retrain on all rows with the number of trees found (true), or keep the
     * model trained without the holdout part (false).
     */
    refit: boolean;
  } | null;
  /** Folds for the out-of-fold (cross-fitted) predictions and for `--tune`. */
  cvFolds: number;
  /**
   * Categorical levels are ordered by their smoothed training default rate
   * `(bad + m · prior) / (n + m)` with this `m`, so `x < t` splits group
   * similar levels.
   */
  levelPriorWeight: number;
  costMatrix: CostMatrix;
  tune: TuneGrid;
  card: ModelCardTexts;
  /** The configuration file (for the provenance), or null when built in code. */
  source: string | null;
  /** Free text kept in the metadata: how the hyper-parameters were chosen. */
  tuning: string;
}

const positive = z.number().positive();

/** The configuration file (snake_case, as written by people). */
export const TrainConfigFileSchema = z.object({
  name: z.string().min(1).default("credit default model"),
  seed: z.number().int().default(42),
  data: z.object({ train: z.string().min(1), test: z.string().min(1).optional() }).strict(),
  target: z.object({
    name: z.string().min(1),
    positive_label: z.string().min(1),
    negative_label: z.string().min(1).optional(),
  }).strict(),
  features: z.array(
    z.object({
      name: z.string().min(1),
      type: z.enum(["numeric", "categorical"]).optional(),
      description: z.string().optional(),
      reason: z.string().optional(),
    }).strict(),
  ).min(1).optional(),
  costs: z.object({
    false_negative: z.number().nonnegative(),
    false_positive: z.number().nonnegative(),
    true_positive: z.number().nonnegative().default(0),
    true_negative: z.number().nonnegative().default(0),
  }).strict().default({
    false_negative: 10,
    false_positive: 1,
    true_positive: 0,
    true_negative: 0,
  }),
  gbdt: z.object({
    n_trees: z.number().int().positive().default(1000),
    learning_rate: positive.default(0.05),
    max_depth: z.number().int().nonnegative().default(3),
    lambda: z.number().nonnegative().default(1),
    gamma: z.number().nonnegative().default(0),
    min_child_weight: z.number().nonnegative().default(1),
    subsample: z.number().gt(0).max(1).default(1),
  }).strict().default({
    n_trees: 1000,
    learning_rate: 0.05,
    max_depth: 3,
    lambda: 1,
    gamma: 0,
    min_child_weight: 1,
    subsample: 1,
  }),
  max_bins: z.number().int().min(2).max(65535).default(256),
  early_stopping: z.object({
    validation_fraction: z.number().gt(0).lt(1).default(0.2),
    rounds: z.number().int().positive().default(50),
    refit: z.boolean().default(true),
  }).strict().nullable().default({ validation_fraction: 0.2, rounds: 50, refit: true }),
  cv_folds: z.number().int().min(2).max(20).default(5),
  level_prior_weight: z.number().nonnegative().default(10),
  tune: z.object({
    max_depth: z.array(z.number().int().nonnegative()).min(1).default([2, 3, 4]),
    learning_rate: z.array(positive).min(1).default([0.02, 0.05]),
    min_child_weight: z.array(z.number().nonnegative()).min(1).default([1, 5]),
    subsample: z.array(z.number().gt(0).max(1)).min(1).default([0.8, 1]),
    lambda: z.array(z.number().nonnegative()).min(1).default([1]),
    max_trees: z.number().int().positive().default(2000),
  }).strict().optional(),
  tuning: z.string().default("hyper-parameters as configured (not tuned by --tune)"),
  model_card: z.object({
    outcome: z.string().optional(),
    data: z.string().optional(),
    intended_use: z.array(z.string()).optional(),
    limitations: z.array(z.string()).optional(),
    reference_points: z.string().optional(),
  }).strict().optional(),
}).strict();

/** The parsed configuration file. */
export type TrainConfigFile = z.infer<typeof TrainConfigFileSchema>;

/** Parses configuration JSON; the Error names the source and every invalid field. */
export function parseTrainConfigFile(json: unknown, source: string): TrainConfigFile {
  const result = TrainConfigFileSchema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("\n");
  throw new Error(`${source}: invalid training configuration\n${problems}`);
}

const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** `numeric` when every present value is a decimal number, else `categorical`. */
export function inferType(values: readonly (string | null | undefined)[]): FeatureConfig["type"] {
  const present = values.filter((v): v is string => v !== null && v !== undefined);
  if (present.length === 0) throw new Error("no values");
  return present.every((v) => DECIMAL.test(v)) ? "numeric" : "categorical";
}

/** Where a configured path points: relative paths are relative to the configuration file. */
export function resolvePath(configPath: string | null, path: string): string {
  if (isAbsolute(path) || configPath === null) return normalize(path);
  return normalize(join(dirname(configPath), path));
}

/** The tuning grid a configuration searches (the file's, or the defaults). */
function tuneGrid(file: TrainConfigFile): TuneGrid {
  const t = file.tune ?? TrainConfigFileSchema.shape.tune.unwrap().parse({});
  return {
    maxDepth: t.max_depth,
    learningRate: t.learning_rate,
    minChildWeight: t.min_child_weight,
    subsample: t.subsample,
    lambda: t.lambda,
    maxTrees: t.max_trees,
  };
}

/**
 * Resolves a configuration file: paths against the file's directory, features
 * and the negative label from the training table when not given, defaults.
 * Throws an Error naming the column when the data cannot supply them.
 */
export function resolveTrainConfig(
  file: TrainConfigFile,
  context: { configPath: string | null; train?: CsvTable },
): TrainConfig {
  const { train } = context;
  const target = file.target.name;
  const column = (name: string) => {
    if (!train) throw new Error(`the training data is needed to infer ${name}`);
    if (!train.columns.includes(name)) throw new Error(`the training data has no column ${name}`);
    return train.records.map((r) => r[name]);
  };
  if (train) column(target);
  let given: NonNullable<TrainConfigFile["features"]>;
  if (file.features) given = file.features;
  else if (train) given = train.columns.filter((c) => c !== target).map((name) => ({ name }));
  else throw new Error("without features, the training data is needed to infer them");
  const features: FeatureConfig[] = given.map((f) => {
    let type = f.type;
    if (type === undefined) {
      try {
        type = inferType(column(f.name));
      } catch (err) {
        throw new Error(`feature ${f.name}: ${(err as Error).message}`);
      }
    }
    return {
      name: f.name,
      type,
      ...(f.description ? { description: f.description } : {}),
      ...(f.reason ? { reason: f.reason } : {}),
    };
  });
  if (features.some((f) => f.name === target)) throw new Error(`the target ${target} is a feature`);
  let negative = file.target.negative_label;
  if (negative === undefined) {
    const labels = [...new Set(column(target).filter((v) => v !== null))] as string[];
    const others = labels.filter((l) => l !== file.target.positive_label);
    if (labels.length !== 2 || others.length !== 1) {
      throw new Error(
        `target ${target}: expected two labels including ${file.target.positive_label}, ` +
          `found ${labels.map((l) => JSON.stringify(l)).join(", ")}; set target.negative_label`,
      );
    }
    negative = others[0];
  }
  const g = file.gbdt;
  const card = file.model_card ?? {};
  const positiveLabel = file.target.positive_label;
  return {
    name: file.name,
    seed: file.seed,
    data: {
      train: resolvePath(context.configPath, file.data.train),
      test: file.data.test ? resolvePath(context.configPath, file.data.test) : null,
    },
    target: { name: target, positive_label: positiveLabel, negative_label: negative },
    features,
    gbdt: {
      nTrees: g.n_trees,
      learningRate: g.learning_rate,
      maxDepth: g.max_depth,
      lambda: g.lambda,
      gamma: g.gamma,
      minChildWeight: g.min_child_weight,
      subsample: g.subsample,
      seed: file.seed,
    },
    maxBins: file.max_bins,
    earlyStopping: file.early_stopping === null ? null : {
      validationFraction: file.early_stopping.validation_fraction,
      rounds: file.early_stopping.rounds,
      refit: file.early_stopping.refit,
    },
    cvFolds: file.cv_folds,
    levelPriorWeight: file.level_prior_weight,
    costMatrix: file.costs,
    tune: tuneGrid(file),
    card: {
      outcome: card.outcome ?? `${target} is ${positiveLabel}`,
      data: card.data ?? "",
      intendedUse: card.intended_use ?? [],
      limitations: card.limitations ?? [],
      referencePoints: card.reference_points ?? "",
    },
    source: context.configPath,
    tuning: file.tuning,
  };
}

/** Path of the bundled model's configuration, from the repository root. */
export const BUNDLED_CONFIG = "data/credit_data/train_config.json";
