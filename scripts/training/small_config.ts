/**
 * A quick variant of the bundled training configuration for tests: few trees,
 * two folds, coarse bins. Same features, data files and costs as the real one
 * (`data/credit_data/train_config.json`, read with a JSON import).
 *
 * @module
 */
import bundled from "../../data/credit_data/train_config.json" with { type: "json" };
import {
  BUNDLED_CONFIG,
  parseTrainConfigFile,
  resolveTrainConfig,
  type TrainConfig,
} from "./train_config.ts";

/** The bundled model's configuration, resolved (its features are all listed). */
export function bundledConfig(): TrainConfig {
  return resolveTrainConfig(parseTrainConfigFile(bundled, BUNDLED_CONFIG), {
    configPath: BUNDLED_CONFIG,
  });
}

/** The training configuration with small, fast settings (and optional changes). */
export function smallConfig(gbdt: Partial<TrainConfig["gbdt"]> = {}): TrainConfig {
  const config = bundledConfig();
  return {
    ...config,
    gbdt: { ...config.gbdt, nTrees: 25, learningRate: 0.2, ...gbdt },
    maxBins: 32,
    earlyStopping: config.earlyStopping && { ...config.earlyStopping, rounds: 5 },
    cvFolds: 2,
  };
}
