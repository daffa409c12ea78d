/**
 * The ONNX runtime edge: one onnxruntime-web (WASM) session, created once,
 * scoring row-major float matrices.
 *
 * @module
 */
import * as ort from "onnxruntime-web";

/** Options for {@link createOnnxScorer}. */
export interface OnnxScorerOptions {
  inputName: string;
  outputName: string;
  /** Column of the output holding the probability of default. */
  outputColumn: number;
  /** Number of input columns (features). */
  nFeatures: number;
}

/** Scores encoded rows; one call is one ONNX run, whatever the row count. */
export interface OnnxScorer {
  score(matrix: Float32Array): Promise<Float64Array>;
  release(): Promise<void>;
}

/** Loads a model from bytes into a WASM session. */
export async function createOnnxScorer(
  bytes: Uint8Array,
  options: OnnxScorerOptions,
): Promise<OnnxScorer> {
  // One WASM thread: the service coalesces concurrent rows into one run and
  // scales with processes (WORKERS), not with threads inside a run.
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = "error";
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  if (!session.inputNames.includes(options.inputName)) {
    throw new Error(`model input "${options.inputName}" not found (has ${session.inputNames})`);
  }
  if (!session.outputNames.includes(options.outputName)) {
    throw new Error(`model output "${options.outputName}" not found (has ${session.outputNames})`);
  }
  const fetches = [options.outputName];
  const width = options.nFeatures;
  return {
    async score(matrix) {
      const n = matrix.length / width;
      if (!Number.isInteger(n)) {
        throw new RangeError(`matrix length ${matrix.length} is not a multiple of ${width}`);
      }
      if (n === 0) return new Float64Array(0);
      const input = new ort.Tensor("float32", matrix, [n, width]);
      const result = await session.run({ [options.inputName]: input }, fetches);
      const output = result[options.outputName];
      const data = output.data as Float32Array;
      const stride = data.length / n;
      const out = new Float64Array(n);
      for (let r = 0; r < n; r++) out[r] = data[r * stride + options.outputColumn];
      output.dispose();
      return out;
    },
    release: () => session.release(),
  };
}
