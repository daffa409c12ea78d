/**
 * Native onnxruntime (`onnxruntime-node`, N-API) as a reference runtime for
 * parity checks: the served scores (onnxruntime-web, WASM) against the native
 * runtime's on the same inputs.
 *
 * It is not a project dependency: it is imported by a computed `npm:`
 * specifier, so `deno install`, `deno check` and deno.lock never see it; tasks
 * that use it run with `--no-lock` and `--allow-ffi=node_modules`, and Deno
 * fetches the package into node_modules on first use without running its
 * install script (which would download GPU binaries from an unreachable host;
 * the CPU library ships in the package). Without FFI permission it is not
 * even imported, so a run under the lockfile (tests) never resolves it.
 *
 * @module
 */
import type * as OrtWeb from "onnxruntime-web";

/** The native runtime's npm specifier (kept out of the module graph, see the module doc). */
export const ORT_NODE_SPECIFIER = ["npm:onnxruntime-node", "1.30.0"].join("@");

/** What a native run needs. */
export interface NativeRun {
  bytes: Uint8Array;
  externalData: readonly { path: string; data: Uint8Array }[];
  input: string;
  output: string;
  column: number;
  width: number;
}

/** Scores a matrix with the native runtime, or explains why it cannot. */
export type NativeScorer = (run: NativeRun, matrix: Float32Array) => Promise<Float64Array>;

/** Loads the native runtime when FFI is allowed; else says why not. */
export async function loadNativeScorer(): Promise<NativeScorer | { unavailable: string }> {
  const ffi = await Deno.permissions.query({ name: "ffi", path: "node_modules" });
  if (ffi.state !== "granted") {
    return { unavailable: "no FFI permission (run through `deno task import-model`)" };
  }
  let ort: typeof OrtWeb;
  try {
    ort = await import(ORT_NODE_SPECIFIER);
  } catch (err) {
    return { unavailable: `${ORT_NODE_SPECIFIER} cannot be loaded: ${(err as Error).message}` };
  }
  return async (run, matrix) => {
    const session = await ort.InferenceSession.create(run.bytes, {
      executionProviders: ["cpu"],
      intraOpNumThreads: 1,
      logSeverityLevel: 3,
      ...(run.externalData.length ? { externalData: [...run.externalData] } : {}),
    });
    try {
      const n = matrix.length / run.width;
      const out = await session.run(
        { [run.input]: new ort.Tensor("float32", matrix, [n, run.width]) },
        [run.output],
      );
      const data = out[run.output].data as Float32Array;
      const stride = data.length / n;
      return Float64Array.from({ length: n }, (_, r) => data[r * stride + run.column]);
    } finally {
      await session.release();
    }
  };
}
