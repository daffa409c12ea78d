/**
 * The scoring model: metadata + ONNX session + encoder + explainer, loaded
 * once at start-up from one self-contained artifacts directory and shared by
 * the API, the offline scorer, the simulator and the site. Everything that
 * varies per model lives here, so the callers treat every model the same.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { readCsvFile, tableToFeatures } from "./feature_csv.ts";
import { type ColumnEncoder, createColumnEncoder, type Features } from "./feature_vector.ts";
import { type ModelMeta, readArtifact, readModelMeta, typicalApplicant } from "./model_meta.ts";
import { createOnnxScorer, type OnnxScorer } from "./onnx_session.ts";
import {
  createExplainer,
  type Explainer,
  type ExplainerData,
  type ExplainerSource,
} from "./reason_codes.ts";
import { createMicroBatcher, type MicroBatcherEvents } from "../micro_batcher.ts";

/** A loaded model, ready to score and explain. */
export interface ScoringModel extends ExplainerSource {
  readonly meta: ModelMeta;
  /** The artifacts directory it was loaded from. */
  readonly dir: string;
  /** Raw bytes of the ONNX file (tree explanations rebuild the trees from them). */
  readonly onnxBytes: Uint8Array;
  /** Raw features → the input tensor's columns. */
  readonly encoder: ColumnEncoder;
  /** Reason codes of this model (its method, or why it has none). */
  readonly explainer: Explainer;
  /** The drift reference sample of this model (it may not exist: callers check). */
  readonly referencePath: string;
  /** Scores validated feature rows in one ONNX run. */
  scoreRows(rows: readonly Features[]): Promise<Float64Array>;
  /** Scores an already encoded row-major matrix in one ONNX run. */
  scoreMatrix(matrix: Float32Array): Promise<Float64Array>;
  release(): Promise<void>;
}

/** Options for {@link loadModel}. */
export interface LoadModelOptions {
  /** Observes each ONNX run (rows, milliseconds), and failures; or those of this model's metadata. */
  events?: MicroBatcherEvents | ((meta: ModelMeta) => MicroBatcherEvents);
}

/** Reads an artifact and checks its sha256 against the metadata. */
async function readChecked(dir: string, file: string, sha256: string): Promise<Uint8Array> {
  const path = join(dir, file);
  const bytes = await readArtifact(path);
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== sha256) {
    throw new Error(
      `${path}: sha256 ${digest} does not match model_meta.json (${sha256}); ` +
        "the model and its metadata come from different training runs",
    );
  }
  return bytes;
}

/** Reads what the model's reason method needs beyond the metadata (covers, background rows). */
async function readExplainerData(dir: string, meta: ModelMeta): Promise<ExplainerData> {
  const r = meta.reasons;
  if (r.method === "tree_shap" && r.covers.source === "file") {
    const bytes = await readChecked(dir, r.covers.file, r.covers.sha256);
    const path = join(dir, r.covers.file);
    const json = JSON.parse(new TextDecoder().decode(bytes));
    if (!Array.isArray(json?.covers) || !json.covers.every((c: unknown) => typeof c === "number")) {
      throw new Error(`${path}: expected {"covers": [numbers]}`);
    }
    return { covers: json.covers };
  }
  if (r.method === "sampling") {
    const path = join(dir, meta.reference.file);
    const rows = tableToFeatures(await readCsvFile(path), meta.features);
    const background = r.background_rows.map((i) => {
      if (i >= rows.length) throw new Error(`${path}: background row ${i} of ${rows.length}`);
      return rows[i];
    });
    return { background };
  }
  return {};
}

/**
 * Loads metadata, ONNX model (and its external data), encoder and explainer
 * from `artifactsDir`. Any missing or corrupt artifact throws an Error naming
 * the file and the problem.
 */
export async function loadModel(
  artifactsDir: string,
  options: LoadModelOptions = {},
): Promise<ScoringModel> {
  const meta = await readModelMeta(artifactsDir);
  const onnxPath = join(artifactsDir, meta.onnx.file);
  const onnxBytes = await readChecked(artifactsDir, meta.onnx.file, meta.onnx.sha256);
  const externalData = [];
  for (const e of meta.onnx.external_data) {
    externalData.push({ path: e.file, data: await readChecked(artifactsDir, e.file, e.sha256) });
  }
  const encoder = createColumnEncoder(meta);
  let scorer: OnnxScorer;
  try {
    scorer = await createOnnxScorer(onnxBytes, {
      inputName: meta.onnx.input_name,
      outputName: meta.onnx.output_name,
      outputColumn: meta.onnx.output_column,
      nFeatures: encoder.width,
      externalData,
    });
  } catch (err) {
    throw new Error(`${onnxPath}: onnxruntime cannot load the model: ${(err as Error).message}`);
  }
  // Warm-up: the first run of a session pays one-off WASM costs; pay them here.
  await scorer.score(encoder.encode([typicalApplicant(meta)]));
  const runRows = async (rows: readonly Features[]) =>
    Array.from(await scorer.score(encoder.encode(rows)));
  // The rows of concurrent calls share one ONNX run: a run has a fixed cost far
  // above the per-row cost, so under load this multiplies throughput (measured
  // 4.3x with the group commit, README's performance history); idle, a call
  // runs alone at the end of its event-loop turn.
  const events = typeof options.events === "function" ? options.events(meta) : options.events;
  const batcher = createMicroBatcher(runRows, { maxItems: 4096, ...events });
  const explainerData = await readExplainerData(artifactsDir, meta);
  const base = {
    meta,
    dir: artifactsDir,
    onnxBytes,
    encoder,
    explainerData,
    referencePath: join(artifactsDir, meta.reference.file),
    scoreRows: (rows: readonly Features[]) =>
      batcher.submit(rows).then((p) => Float64Array.from(p)),
    scoreMatrix: (matrix: Float32Array) => scorer.score(matrix),
    release: () => scorer.release(),
  };
  let explainer: Explainer;
  try {
    explainer = createExplainer(base);
  } catch (err) {
    throw new Error(`${artifactsDir}: cannot build the reason codes: ${(err as Error).message}`);
  }
  return { ...base, explainer };
}
