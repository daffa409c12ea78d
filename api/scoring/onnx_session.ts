/**
 * The ONNX runtime edge: one onnxruntime-web (WASM) session, created once,
 * scoring row-major float matrices. The only module that imports
 * onnxruntime-web.
 *
 * Facts it relies on (measured, see the model fixtures' README): the WASM
 * runtime reads no files, so external weights (`*.onnx.data`) are handed over
 * as bytes under the `location` name the model stores; a declared output shape
 * may be wrong (torch writes `[1, 1]` and answers `[N, 1]`), so the result's
 * own dims are read, and the size warning it logs is silenced
 * (`logSeverityLevel: 3`); only graph outputs can be fetched, and only
 * tensors.
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
  /** Number of input columns. */
  nFeatures: number;
  /** External tensor data: `path` is the `location` stored in the model. */
  externalData?: readonly { path: string; data: Uint8Array }[];
}

/** One output of a raw run: its dims as the runtime answered them, and its values. */
export interface ProbedOutput {
  dims: readonly number[];
  /** Values as numbers (float and double tensors); null for other element types. */
  data: Float64Array | null;
  type: string;
}

/** Scores encoded rows; one call is one ONNX run, whatever the row count. */
export interface OnnxScorer {
  score(matrix: Float32Array): Promise<Float64Array>;
  /** Runs the model and returns the named outputs as they are (import-time checks). */
  probe(matrix: Float32Array, outputs: readonly string[]): Promise<Record<string, ProbedOutput>>;
  /** The model's graph inputs and outputs, as the runtime sees them. */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
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
    logSeverityLevel: 3,
    ...(options.externalData?.length
      ? { externalData: options.externalData.map((e) => ({ path: e.path, data: e.data })) }
      : {}),
  });
  if (!session.inputNames.includes(options.inputName)) {
    throw new Error(`model input "${options.inputName}" not found (has ${session.inputNames})`);
  }
  if (!session.outputNames.includes(options.outputName)) {
    throw new Error(`model output "${options.outputName}" not found (has ${session.outputNames})`);
  }
  const fetches = [options.outputName];
  const width = options.nFeatures;
  const tensor = (matrix: Float32Array) => {
    const n = matrix.length / width;
    if (!Number.isInteger(n)) {
      throw new RangeError(`matrix length ${matrix.length} is not a multiple of ${width}`);
    }
    return new ort.Tensor("float32", matrix, [n, width]);
  };
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async score(matrix) {
      const input = tensor(matrix);
      const n = input.dims[0];
      if (n === 0) return new Float64Array(0);
      const result = await session.run({ [options.inputName]: input }, fetches);
      const output = result[options.outputName];
      const data = output.data as Float32Array | Float64Array;
      const stride = data.length / n;
      const out = new Float64Array(n);
      for (let r = 0; r < n; r++) out[r] = data[r * stride + options.outputColumn];
      output.dispose();
      return out;
    },
    async probe(matrix, outputs) {
      const result = await session.run({ [options.inputName]: tensor(matrix) }, [...outputs]);
      const out: Record<string, ProbedOutput> = {};
      for (const name of outputs) {
        const t = result[name];
        const numeric = t.type === "float32" || t.type === "float64";
        out[name] = {
          dims: [...t.dims],
          data: numeric ? Float64Array.from(t.data as Float32Array) : null,
          type: t.type,
        };
        t.dispose();
      }
      return out;
    },
    release: () => session.release(),
  };
}
