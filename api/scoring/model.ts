/**
 * The scoring model: metadata + ONNX session, loaded once at start-up and
 * shared by the API, the offline scorer, the simulator and the site.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { encodeRows, type Features } from "./feature_vector.ts";
import { type ModelMeta, readArtifact, readModelMeta, typicalApplicant } from "./model_meta.ts";
import { createOnnxScorer, type OnnxScorer } from "./onnx_session.ts";
import { createMicroBatcher, type MicroBatcherEvents } from "../micro_batcher.ts";

/** A loaded model, ready to score. */
export interface ScoringModel {
  readonly meta: ModelMeta;
  /** Raw bytes of the ONNX file (reason codes rebuild the trees from them). */
  readonly onnxBytes: Uint8Array;
  /** Scores validated feature rows in one ONNX run. */
  scoreRows(rows: readonly Features[]): Promise<Float64Array>;
  /** Scores an already encoded row-major matrix in one ONNX run. */
  scoreMatrix(matrix: Float32Array): Promise<Float64Array>;
  release(): Promise<void>;
}

/** Options for {@link loadModel}. */
export interface LoadModelOptions {
  /** Observes each ONNX run (rows, milliseconds), and failures. */
  events?: MicroBatcherEvents;
}

/**
 * Loads metadata and ONNX model from `artifactsDir`. Any missing or corrupt
 * artifact throws an Error naming the file and the problem.
 */
export async function loadModel(
  artifactsDir: string,
  options: LoadModelOptions = {},
): Promise<ScoringModel> {
  const meta = await readModelMeta(artifactsDir);
  const onnxPath = join(artifactsDir, meta.onnx.file);
  const onnxBytes = await readArtifact(onnxPath);
  const digest = createHash("sha256").update(onnxBytes).digest("hex");
  if (digest !== meta.onnx.sha256) {
    throw new Error(
      `${onnxPath}: sha256 ${digest} does not match model_meta.json (${meta.onnx.sha256}); ` +
        "the model and its metadata come from different training runs",
    );
  }
  let scorer: OnnxScorer;
  try {
    scorer = await createOnnxScorer(onnxBytes, {
      inputName: meta.onnx.input_name,
      outputName: meta.onnx.output_name,
      outputColumn: meta.onnx.output_column,
      nFeatures: meta.features.length,
    });
  } catch (err) {
    throw new Error(`${onnxPath}: onnxruntime cannot load the model: ${(err as Error).message}`);
  }
  // Warm-up: the first run of a session pays one-off WASM costs; pay them here.
  await scorer.score(encodeRows(meta.features, [typicalApplicant(meta)]));
  const runRows = async (rows: readonly Features[]) =>
    Array.from(await scorer.score(encodeRows(meta.features, rows)));
  // The rows of concurrent calls share one ONNX run: a run has a fixed cost far
  // above the per-row cost, so under load this multiplies throughput (measured
  // 4.3x with the group commit, README's performance history); idle, a call
  // runs alone at the end of its event-loop turn.
  const batcher = createMicroBatcher(runRows, { maxItems: 4096, ...options.events });
  return {
    meta,
    onnxBytes,
    scoreRows: async (rows) => Float64Array.from(await batcher.submit(rows)),
    scoreMatrix: (matrix) => scorer.score(matrix),
    release: () => scorer.release(),
  };
}
