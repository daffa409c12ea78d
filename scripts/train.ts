/**
 * `deno task train [--config FILE.json] [--out DIR] [--tune]`: trains a
 * gradient-boosted tree model from a training configuration
 * (`training/train_config.ts`; default: the bundled credit model's,
 * `data/credit_data/train_config.json`) and writes one self-contained
 * artifacts directory (default `artifacts`):
 *
 * - `model.onnx`, `model_meta.json`, `MODEL_CARD.md`
 * - `reference_sample.csv` (drift reference: the training rows, their target
 *   and out-of-fold scores)
 *
 * With `--tune`, the hyper-parameters are first chosen by cross-validation on
 * the training file (`training/tune.ts`); the chosen configuration is written
 * next to the given one as `<name>.tuned.json`, and `--config` on that file
 * reproduces the same artifacts without tuning again.
 *
 * Deterministic: running it twice gives byte-identical files. Progress goes
 * to stderr (a cli-progress bar on a terminal), a summary to stdout. Exit
 * codes: 0 done, 1 error, 2 bad usage.
 *
 * @module
 */
import cliProgress from "cli-progress";
import { join } from "node:path";
import { parseCsv } from "../api/scoring/feature_csv.ts";
import { META_FILE, MODEL_CARD_FILE, REFERENCE_FILE } from "../api/scoring/model_meta.ts";
import { buildArtifacts, ONNX_FILE } from "./training/artifacts.ts";
import { labelsOf, type Progress } from "./training/pipeline.ts";
import {
  BUNDLED_CONFIG,
  parseTrainConfigFile,
  resolvePath,
  resolveTrainConfig,
  type TrainConfig,
} from "./training/train_config.ts";
import { tune } from "./training/tune.ts";
import { parseFlags, UsageError } from "./lib/flags.ts";

export { MODEL_CARD_FILE };

/** Help text of `deno task train`. */
export const TRAIN_USAGE = `Usage: deno task train [--config FILE.json] [--out DIR] [--tune]

Trains a gradient-boosted tree model and writes an artifacts directory
(model.onnx, model_meta.json, MODEL_CARD.md, reference_sample.csv).

Options:
  --config FILE   training configuration (default ${BUNDLED_CONFIG})
  --out DIR       artifacts directory (default artifacts)
  --tune          choose hyper-parameters by cross-validation on the training
                  file first; writes FILE's tuned copy as <name>.tuned.json
  -h, --help      show this help

Exit codes: 0 done, 1 error, 2 bad usage.`;

function progressBar(): { update: (p: Progress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar({
    format: "{phase} |{bar}| {value}/{total} trees",
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  let phase = "";
  return {
    update(p) {
      if (phase === "") bar.start(p.maxTrees, 0, { phase: p.phase });
      else if (p.phase !== phase) bar.setTotal(p.maxTrees);
      phase = p.phase;
      bar.update(p.trees, { phase: p.phase });
    },
    stop: () => bar.stop(),
  };
}

/** Reads and resolves a configuration file (its features inferred from the training file). */
export async function loadTrainConfig(
  path: string,
): Promise<{ config: TrainConfig; json: Record<string, unknown> }> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw new Error(
      `${path}: ${err instanceof SyntaxError ? "not valid JSON: " : ""}${(err as Error).message}`,
    );
  }
  const file = parseTrainConfigFile(json, path);
  const trainPath = resolvePath(path, file.data.train);
  const train = parseCsv(await Deno.readTextFile(trainPath), { source: trainPath });
  try {
    return { config: resolveTrainConfig(file, { configPath: path, train }), json };
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/** The configuration file of a tuned run, next to the original: `<name>.tuned.json`. */
export function tunedConfigPath(path: string): string {
  return path.replace(/(\.json)?$/, ".tuned.json");
}

async function run(args: readonly string[]): Promise<number> {
  let values;
  try {
    values = parseFlags(args, {
      config: { type: "string" },
      out: { type: "string" },
      tune: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`train: ${err.message} (see --help)`);
    return 2;
  }
  if (values.help) {
    console.log(TRAIN_USAGE);
    return 0;
  }
  const configPath = values.config ?? BUNDLED_CONFIG;
  const dir = values.out ?? "artifacts";
  const started = performance.now();
  let { config, json } = await loadTrainConfig(configPath);
  const data = {
    train: await Deno.readFile(config.data.train),
    test: config.data.test ? await Deno.readFile(config.data.test) : null,
  };
  const bar = progressBar();
  if (values.tune) {
    const table = parseCsv(new TextDecoder().decode(data.train), { source: config.data.train });
    const labelled = { records: table.records, labels: labelsOf(table.records, config.target) };
    const tuned = tune(labelled, config, {
      onProgress: bar.update,
      onResult: (r) =>
        console.error(
          `\n${JSON.stringify(r.candidate)}: CV log loss ${r.cvLogLoss.toFixed(5)} at ` +
            `${r.bestTrees} trees`,
        ),
    });
    const g = tuned.config.gbdt;
    json = {
      ...json,
      gbdt: {
        n_trees: g.nTrees,
        learning_rate: g.learningRate,
        max_depth: g.maxDepth,
        lambda: g.lambda,
        gamma: g.gamma,
        min_child_weight: g.minChildWeight,
        subsample: g.subsample,
      },
      early_stopping: null,
      tuning: tuned.config.tuning,
    };
    const path = tunedConfigPath(configPath);
    await Deno.writeTextFile(path, `${JSON.stringify(json, null, 2)}\n`);
    console.error(`\ntuned configuration written to ${path}`);
    config = { ...tuned.config, source: path };
  }
  const artifacts = buildArtifacts(data, config, { onProgress: bar.update });
  bar.stop();

  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(join(dir, ONNX_FILE), artifacts.onnx);
  await Deno.writeTextFile(join(dir, META_FILE), artifacts.metaJson);
  await Deno.writeTextFile(join(dir, MODEL_CARD_FILE), artifacts.modelCard);
  await Deno.writeTextFile(join(dir, REFERENCE_FILE), artifacts.referenceSample);

  const { meta } = artifacts;
  const f = (x: number) => x.toFixed(4);
  const line = (name: string, m: NonNullable<typeof meta.metrics.test>) =>
    `${name}: ROC AUC ${f(m.roc_auc)}, Brier ${f(m.brier)}, log loss ${f(m.log_loss)}, ` +
    `cost ${m.cost}, flagged ${f(m.flagged_rate)}, positive rate ${f(m.default_rate)}`;
  console.log(`model ${meta.model_version}: threshold ${meta.threshold}`);
  if (meta.metrics.test) console.log(line("test", meta.metrics.test));
  if (meta.metrics.cv) console.log(line("cv (out-of-fold)", meta.metrics.cv));
  console.log(
    `wrote ${dir}/{${ONNX_FILE},${META_FILE},${MODEL_CARD_FILE},${REFERENCE_FILE}} in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return 0;
}

/** Runs the task with these arguments; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  try {
    return await run(args);
  } catch (err) {
    console.error(`train: ${err instanceof Error ? err.message : err}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
