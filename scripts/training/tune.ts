/**
 * Hyper-parameter search by cross-validation on the training file only
 * (test.csv is never read): each candidate's out-of-fold scores are computed
 * with the full pipeline (`crossFitPredictions`, nested early stopping) and
 * ranked by log loss, with ROC AUC and Brier score shown. A development
 * tool; its findings are copied into `train_config.ts` by hand.
 *
 * Run: `deno run --allow-read=data scripts/training/tune.ts`
 *
 * @module
 */
import { readCsvFile } from "../../api/scoring/feature_csv.ts";
import { brierScore, logLoss, rocAuc } from "../../monitoring/classification_metrics.ts";
import { crossFitPredictions, labelsOf } from "./pipeline.ts";
import { TRAIN_CONFIG, type TrainConfig } from "./train_config.ts";

/** One candidate: changes to the configuration. */
export interface Candidate {
  gbdt?: Partial<TrainConfig["gbdt"]>;
  earlyStopping?: Partial<TrainConfig["earlyStopping"]>;
}

/** The grid searched (small: every candidate costs one 5-fold cross-fit). */
export const GRID: Candidate[] = [
  ...[2, 3].flatMap((maxDepth) =>
    [0.02, 0.05].flatMap((learningRate) =>
      [1, 5].map((minChildWeight) => ({ gbdt: { maxDepth, learningRate, minChildWeight } }))
    )
  ),
  { gbdt: { subsample: 1 } },
  { gbdt: { lambda: 5 } },
  { earlyStopping: { refit: false } },
  { earlyStopping: { rounds: 500 } },
];

/** The configuration of one candidate. */
export function withCandidate(base: TrainConfig, c: Candidate): TrainConfig {
  return {
    ...base,
    gbdt: { ...base.gbdt, ...c.gbdt },
    earlyStopping: { ...base.earlyStopping, ...c.earlyStopping },
  };
}

if (import.meta.main) {
  const train = await readCsvFile(TRAIN_CONFIG.data.train);
  const labels = labelsOf(train.records, TRAIN_CONFIG.target);
  const rows: Record<string, string | number>[] = [];
  for (const candidate of GRID) {
    const config = withCandidate(TRAIN_CONFIG, candidate);
    const scores = crossFitPredictions({ records: train.records, labels }, config);
    const data = { labels, scores };
    rows.push({
      candidate: JSON.stringify({ ...candidate.gbdt, ...candidate.earlyStopping }),
      log_loss: logLoss(data).toFixed(4),
      roc_auc: rocAuc(data).toFixed(4),
      brier: brierScore(data).toFixed(4),
    });
    console.error(rows[rows.length - 1]);
  }
  console.table(rows.sort((a, b) => Number(a.log_loss) - Number(b.log_loss)));
}
