/**
 * Service configuration: every setting comes from one environment variable,
 * read and validated here and nowhere else. The README's configuration table
 * mirrors {@link CONFIG_VARS}.
 *
 * @module
 */
import { z } from "zod";

const flag = z.enum(["0", "1", "true", "false"]).transform((v) => v === "1" || v === "true");
const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(
    z.number().int().min(min).max(max),
  );

/**
 * Environment variables, their defaults and meaning. Defaults are strings, as
 * they would be in the environment, and go through the same validation.
 */
export const CONFIG_VARS = {
  PORT: { default: "8000", doc: "TCP port to listen on (the container sets 7860)." },
  HOST: { default: "127.0.0.1", doc: "Interface to bind; 0.0.0.0 in the container." },
  ARTIFACTS_DIR: { default: "artifacts", doc: "Directory with model.onnx and model_meta.json." },
  DB_PATH: {
    default: "data/predictions.sqlite",
    doc: "SQLite audit log; created with its directory on first run.",
  },
  DB_SYNCHRONOUS: {
    default: "FULL",
    doc: "SQLite synchronous level: FULL (survives power loss) or NORMAL (survives crashes).",
  },
  STRICT_INPUT: {
    default: "1",
    doc: "1: every feature key must be present (null = missing). 0: absent keys count as missing.",
  },
  MAX_BATCH_ROWS: { default: "1000", doc: "Most rows accepted by /predict_batch (413 above)." },
  MAX_BODY_BYTES: { default: "1048576", doc: "Largest request body accepted (413 above)." },
  LOG_FLUSH_MS: {
    default: "0",
    doc: "Group commit: longest wait before queued log rows are committed " +
      "(0 = at the end of the event-loop turn).",
  },
  LOG_MAX_ROWS: { default: "512", doc: "Group commit: commit as soon as this many rows wait." },
  ORT_THREADS: { default: "1", doc: "onnxruntime-web WASM threads (1 or 2)." },
} as const satisfies Record<string, { default: string; doc: string }>;

/** Names of the variables the service reads. */
export type ConfigVar = keyof typeof CONFIG_VARS;

const ConfigSchema = z.object({
  PORT: int(0, 65535),
  HOST: z.string().min(1),
  ARTIFACTS_DIR: z.string().min(1),
  DB_PATH: z.string().min(1),
  DB_SYNCHRONOUS: z.enum(["FULL", "NORMAL"]),
  STRICT_INPUT: flag,
  MAX_BATCH_ROWS: int(1, 100_000),
  MAX_BODY_BYTES: int(1024, 512 * 1024 * 1024),
  LOG_FLUSH_MS: int(0, 1000),
  LOG_MAX_ROWS: int(1, 100_000),
  ORT_THREADS: int(1, 2),
});

/** The validated configuration. */
export interface Config {
  port: number;
  host: string;
  artifactsDir: string;
  dbPath: string;
  dbSynchronous: "FULL" | "NORMAL";
  strictInput: boolean;
  maxBatchRows: number;
  maxBodyBytes: number;
  logFlushMs: number;
  logMaxRows: number;
  ortThreads: number;
}

/**
 * Reads the configuration from an environment lookup (default: the process
 * environment). Throws one Error listing every invalid variable.
 */
export function loadConfig(
  getEnv: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Config {
  const raw = Object.fromEntries(
    Object.entries(CONFIG_VARS).map(([name, spec]) => [name, getEnv(name) ?? spec.default]),
  );
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `  ${name}=${JSON.stringify(raw[name])}: ${i.message}`;
    });
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  const v = parsed.data;
  return {
    port: v.PORT,
    host: v.HOST,
    artifactsDir: v.ARTIFACTS_DIR,
    dbPath: v.DB_PATH,
    dbSynchronous: v.DB_SYNCHRONOUS,
    strictInput: v.STRICT_INPUT,
    maxBatchRows: v.MAX_BATCH_ROWS,
    maxBodyBytes: v.MAX_BODY_BYTES,
    logFlushMs: v.LOG_FLUSH_MS,
    logMaxRows: v.LOG_MAX_ROWS,
    ortThreads: v.ORT_THREADS,
  };
}
