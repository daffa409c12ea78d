/**
 * `deno task train`: trains the bundled credit model on
 * `data/credit_data/train.csv` and writes
 *
 * - `artifacts/model.onnx`, `artifacts/model_meta.json`, `artifacts/MODEL_CARD.md`
 * - `data/reference/reference_sample.csv` (drift reference, out-of-fold scores)
 *
 * Deterministic: running it twice gives byte-identical files. Progress goes
 * to stderr (a cli-progress bar on a terminal), a summary to stdout.
 *
 * Permissions: `--allow-read=data --allow-write=artifacts,data/reference`.
 *
 * @module
 */
import cliProgress from "cli-progress";
import { dirname, join } from "node:path";
import { buildArtifacts, ONNX_FILE } from "./training/artifacts.ts";
import type { Progress } from "./training/pipeline.ts";
import { TRAIN_CONFIG } from "./training/train_config.ts";
import { META_FILE } from "../api/scoring/model_meta.ts";

/** Name of the generated model card in the artifacts directory. */
export const MODEL_CARD_FILE = "MODEL_CARD.md";

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

async function main(): Promise<void> {
  const config = TRAIN_CONFIG;
  const started = performance.now();
  const data = {
    train: await Deno.readFile(config.data.train),
    test: await Deno.readFile(config.data.test),
  };
  const bar = progressBar();
  const artifacts = buildArtifacts(data, config, { onProgress: bar.update });
  bar.stop();

  const dir = config.output.artifactsDir;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(join(dir, ONNX_FILE), artifacts.onnx);
  await Deno.writeTextFile(join(dir, META_FILE), artifacts.metaJson);
  await Deno.writeTextFile(join(dir, MODEL_CARD_FILE), artifacts.modelCard);
  await Deno.mkdir(dirname(config.output.referenceSample), { recursive: true });
  await Deno.writeTextFile(config.output.referenceSample, artifacts.referenceSample);

  const { meta } = artifacts;
  const f = (x: number) => x.toFixed(4);
  const line = (name: string, m: typeof meta.metrics.test) =>
    `${name}: ROC AUC ${f(m.roc_auc)}, Brier ${f(m.brier)}, log loss ${f(m.log_loss)}, ` +
    `cost ${m.cost}, flagged ${f(m.flagged_rate)}, default rate ${f(m.default_rate)}`;
  console.log(`model ${meta.model_version}: threshold ${meta.threshold}`);
  console.log(line("test", meta.metrics.test));
  if (meta.metrics.cv) console.log(line("cv (out-of-fold)", meta.metrics.cv));
  console.log(
    `wrote ${dir}/{${ONNX_FILE},${META_FILE},${MODEL_CARD_FILE}} and ` +
      `${config.output.referenceSample} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

if (import.meta.main) {
  try {
    await main();
  } catch (err) {
    console.error(`train: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
