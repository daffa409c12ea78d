/**
 * A quick variant of the training configuration for tests: few trees, two
 * folds, coarse bins. Same features, data files and costs as the real one.
 *
 * @module
 */
import { TRAIN_CONFIG, type TrainConfig } from "./train_config.ts";

/** The training configuration with small, fast settings (and optional changes). */
export function smallConfig(gbdt: Partial<TrainConfig["gbdt"]> = {}): TrainConfig {
  return {
    ...TRAIN_CONFIG,
    gbdt: { ...TRAIN_CONFIG.gbdt, nTrees: 25, learningRate: 0.2, ...gbdt },
    maxBins: 32,
    earlyStopping: { ...TRAIN_CONFIG.earlyStopping, rounds: 5 },
    cvFolds: 2,
  };
}
