/**
 * The scoring model: metadata + ONNX session, loaded once at start-up and
 * shared by the API, the offline scorer, the simulator and the site.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { encodeRows, type Features } from "./feature_vector.ts";
import { type ModelMeta, parseModelMeta, typicalApplicant } from "./model_meta.ts";
import { createOnnxScorer, type OnnxScorer } from "./onnx_session.ts";
import { createMicroBatcher, type MicroBatcherEvents } from "../micro_batcher.ts";

/** File name of the metadata inside an artifacts directory. */
export const META_FILE = "model_meta.json";

/** A decision on one application. */
export type Decision = "approve" | "reject";

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
  /** WASM threads for onnxruntime-web. Default 1. */
  threads?: number;
  /**
   * Coalesce the rows of concurrent `scoreRows` calls into one ONNX run
   * (default true). A run has a fixed cost far above the per-row cost, so
   * under load this multiplies throughput; when idle a call runs alone.
   */
  coalesce?: boolean;
  /** Observes each ONNX run (rows, milliseconds), and failures. */
  events?: MicroBatcherEvents;
}

/** Reject when the probability reaches the threshold. */
export function decide(probaDefault: number, threshold: number): Decision {
  return probaDefault >= threshold ? "reject" : "approve";
}

async function readArtifact(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    const reason = err instanceof Deno.errors.NotFound ? "file not found" : String(err);
    throw new Error(`cannot read model artifact ${path}: ${reason}`);
  }
}

/** Reads and validates `model_meta.json` from an artifacts directory. */
export async function readModelMeta(artifactsDir: string): Promise<ModelMeta> {
  const path = join(artifactsDir, META_FILE);
  const text = new TextDecoder().decode(await readArtifact(path));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return parseModelMeta(json, path);
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
      threads: options.threads,
    });
  } catch (err) {
    throw new Error(`${onnxPath}: onnxruntime cannot load the model: ${(err as Error).message}`);
  }
  // Warm-up: the first run of a session pays one-off WASM costs; pay them here.
  await scorer.score(encodeRows(meta.features, [typicalApplicant(meta)]));
  const runRows = async (rows: readonly Features[]) =>
    Array.from(await scorer.score(encodeRows(meta.features, rows)));
  // Without coalescing each call is its own batch of one run: same code, no waiting.
  const batcher = createMicroBatcher(runRows, {
    maxItems: options.coalesce === false ? 1 : 4096,
    concurrent: options.coalesce === false,
    ...options.events,
  });
  return {
    meta,
    onnxBytes,
    scoreRows: async (rows) => Float64Array.from(await batcher.submit(rows)),
    scoreMatrix: (matrix) => scorer.score(matrix),
    release: () => scorer.release(),
  };
}
