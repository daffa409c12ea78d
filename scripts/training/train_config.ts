/**
 * Everything `deno task train` is configured with: data files, target,
 * features (with their API descriptions and adverse-action reason texts),
 * hyper-parameters, seed and business costs. Changing a value here changes
 * the artifacts; nothing else feeds the training run.
 *
 * @module
 */
import type { CostMatrix } from "../../api/scoring/model_meta.ts";
import type { GbdtParams } from "./gbdt.ts";

/** A feature to train on, before statistics are taken from the data. */
export interface FeatureConfig {
  name: string;
  type: "numeric" | "categorical";
  /** Short description for API docs and the site. */
  description: string;
  /** Reason-code sentence shown when the feature pushes towards default. */
  reason: string;
}

/** The whole training configuration. */
export interface TrainConfig {
  seed: number;
  data: { train: string; test: string };
  target: { name: string; positive_label: string; negative_label: string };
  /** Features in model input order. */
  features: FeatureConfig[];
  /** Booster parameters; `nTrees` is the cap that early stopping works under. */
  gbdt: GbdtParams;
  /** Most histogram bins per numeric feature. */
  maxBins: number;
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
  };
  /** Folds for the out-of-fold (cross-fitted) predictions. */
  cvFolds: number;
  /**
   * Categorical levels are ordered by their smoothed training default rate
   * `(bad + m · prior) / (n + m)` with this `m`, so `x < t` splits group
   * similar levels.
   */
  levelPriorWeight: number;
  costMatrix: CostMatrix;
  output: { artifactsDir: string; referenceSample: string };
}

/** The configuration of the bundled model. */
export const TRAIN_CONFIG: TrainConfig = {
  seed: 20_240_611,
  data: { train: "data/credit_data/train.csv", test: "data/credit_data/test.csv" },
  target: { name: "Status", positive_label: "bad", negative_label: "good" },
  features: [
    {
      name: "Seniority",
      type: "numeric",
      description: "Years with the current employer.",
      reason: "Time with the current employer is short",
    },
    {
      name: "Home",
      type: "categorical",
      description: "Housing situation (owner, rent, parents, priv, other, ignore).",
      reason: "Housing situation is associated with a higher risk",
    },
    {
      name: "Time",
      type: "numeric",
      description: "Requested loan term, in months.",
      reason: "Requested loan term increases the risk",
    },
    {
      name: "Age",
      type: "numeric",
      description: "Applicant's age, in years.",
      reason: "Age group is associated with a higher risk",
    },
    {
      name: "Marital",
      type: "categorical",
      description: "Marital status (married, single, separated, widow, divorced).",
      reason: "Marital status is associated with a higher risk",
    },
    {
      name: "Records",
      type: "categorical",
      description: "Whether the applicant has prior adverse credit records (yes/no).",
      reason: "Prior adverse credit records",
    },
    {
      name: "Job",
      type: "categorical",
      description: "Type of employment (fixed, freelance, partime, others).",
      reason: "Type of employment is associated with a higher risk",
    },
    {
      name: "Expenses",
      type: "numeric",
      description: "Regular monthly expenses.",
      reason: "Monthly expenses are high",
    },
    {
      name: "Income",
      type: "numeric",
      description: "Monthly income.",
      reason: "Income is low or was not reported",
    },
    {
      name: "Assets",
      type: "numeric",
      description: "Value of the applicant's assets.",
      reason: "Assets are low or were not reported",
    },
    {
      name: "Debt",
      type: "numeric",
      description: "Amount of existing debt.",
      reason: "Existing debt is high or was not reported",
    },
    {
      name: "Amount",
      type: "numeric",
      description: "Requested loan amount.",
      reason: "Requested loan amount is high",
    },
    {
      name: "Price",
      type: "numeric",
      description: "Price of the goods the loan finances.",
      reason: "Loan amount is high relative to the price of the goods",
    },
  ],
  gbdt: {
    nTrees: 3000,
    learningRate: 0.02,
    maxDepth: 2,
    lambda: 1,
    gamma: 0,
    minChildWeight: 5,
    subsample: 0.8,
    seed: 20_240_611,
  },
  maxBins: 256,
  earlyStopping: { validationFraction: 0.2, rounds: 200, refit: true },
  cvFolds: 5,
  levelPriorWeight: 10,
  costMatrix: { false_negative: 10, false_positive: 1, true_positive: 0, true_negative: 0 },
  output: { artifactsDir: "artifacts", referenceSample: "data/reference/reference_sample.csv" },
};
