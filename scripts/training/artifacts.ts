/**
 * One training run, from the text of the training and test files to the
 * bytes of every artifact. Pure apart from the progress callback: no file
 * access, no clock, so the same inputs always give the same bytes (the
 * determinism test relies on it; `scripts/train.ts` does the I/O).
 *
 * Order of work: out-of-fold scores by cross-fitting on the training file →
 * threshold minimising cost on them → final model on all training rows →
 * ONNX → test metrics (test file used here only, when there is one) →
 * metadata, model card, reference sample (the training rows with their
 * target and out-of-fold scores).
 *
 * @module
 */
import { parseCsv } from "../../api/scoring/feature_csv.ts";
import type { ModelMeta } from "../../api/scoring/model_meta.ts";
import { encodeEnsemble } from "../../api/scoring/onnx_tree_codec.ts";
import { evaluateClassifier, positiveRate } from "../../monitoring/classification_metrics.ts";
import { renderModelCard } from "./model_card.ts";
import {
  buildModelMeta,
  type DatasetFile,
  type MetaInputs,
  metaJson,
  sha256Hex,
} from "./model_meta_builder.ts";
import {
  crossFitPredictions,
  fitModel,
  labelsOf,
  predictRecords,
  type Progress,
} from "./pipeline.ts";
import { referenceSampleCsv } from "../../monitoring/reference_sample.ts";
import { chooseThreshold } from "./threshold.ts";
import type { TrainConfig } from "./train_config.ts";

/** The training and (optional) test files, as bytes. */
export interface TrainingData {
  train: Uint8Array;
  test: Uint8Array | null;
}

/** Everything a training run writes. */
export interface Artifacts {
  meta: ModelMeta;
  onnx: Uint8Array;
  metaJson: string;
  modelCard: string;
  referenceSample: string;
}

/** File name of the ONNX model inside the artifacts directory. */
export const ONNX_FILE = "model.onnx";

function dataset(file: string, bytes: Uint8Array, labels: Uint8Array): DatasetFile {
  return {
    file,
    sha256: sha256Hex(bytes),
    rows: labels.length,
    default_rate: positiveRate(labels),
  };
}

/** Trains the model and renders all artifacts (see the module comment). */
export function buildArtifacts(
  data: TrainingData,
  config: TrainConfig,
  options: { onProgress?: (p: Progress) => void } = {},
): Artifacts {
  const decoder = new TextDecoder();
  const train = parseCsv(decoder.decode(data.train), { source: config.data.train });
  const test = data.test && config.data.test
    ? parseCsv(decoder.decode(data.test), { source: config.data.test })
    : null;
  const labels = labelsOf(train.records, config.target);
  const testLabels = test ? labelsOf(test.records, config.target) : null;

  const oof = crossFitPredictions({ records: train.records, labels }, config, options);
  const threshold = chooseThreshold({ labels, scores: oof }, config.costMatrix);
  const model = fitModel({ records: train.records, labels }, config, {
    ...options,
    label: "final model",
  });

  const { target } = config;
  const onnx = encodeEnsemble(model.ensemble, {
    docString: `Scorewatch ${config.name}: P(${target.name} = ${target.positive_label}). ` +
      "See MODEL_CARD.md.",
    metadata: { features: model.specs.map((s) => s.name).join(",") },
  });
  const evalOptions = { threshold: threshold.threshold, costs: config.costMatrix };
  const testMetrics = test && testLabels && data.test && config.data.test
    ? {
      data: dataset(config.data.test, data.test, testLabels),
      metrics: evaluateClassifier(
        { labels: testLabels, scores: predictRecords(model, test.records) },
        evalOptions,
      ),
    }
    : null;
  const inputs: MetaInputs = {
    config,
    specs: model.specs,
    onnx: { file: ONNX_FILE, sha256: sha256Hex(onnx) },
    threshold,
    train: dataset(config.data.train, data.train, labels),
    test: testMetrics?.data ?? null,
    trees: model.ensemble.trees.length,
    earlyStopping: model.earlyStopping,
    metrics: {
      ...(testMetrics ? { test: testMetrics.metrics } : {}),
      cv: evaluateClassifier({ labels, scores: oof }, evalOptions),
    },
  };
  const meta = buildModelMeta(inputs);
  return {
    meta,
    onnx,
    metaJson: metaJson(meta),
    modelCard: renderModelCard(meta, inputs),
    referenceSample: referenceSampleCsv(train.records, {
      specs: model.specs,
      scores: oof,
      target: target.name,
    }),
  };
}
