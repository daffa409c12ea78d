/**
 * Service configuration: every setting comes from one environment variable,
 * read and validated here and nowhere else. The README's configuration table
 * mirrors {@link CONFIG_VARS}.
 *
 * @module
 */
import { z } from "zod";
import { MIN_KEY_LENGTH, parseKeyList } from "./auth/api_keys.ts";

const flag = z.enum(["0", "1", "true", "false"]).transform((v) => v === "1" || v === "true");
const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(
    z.number().int().min(min).max(max),
  );
const keyList = (variable: string) =>
  z.string().transform((value, ctx) => {
    try {
      return parseKeyList(value, variable);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  });

/** A variable: its default (as it would be in the environment), meaning, and whether it is secret. */
export interface ConfigVarSpec {
  default: string;
  doc: string;
  /** Never echoed in error messages or logs. */
  secret?: boolean;
}

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
  DB_FALLBACK_PATH: {
    default: "",
    doc: "Used instead of DB_PATH (with a warning on /health and the site) when DB_PATH's " +
      "directory does not exist or is not writable; empty = no fallback, fail at start.",
  },
  DB_SYNCHRONOUS: {
    default: "FULL",
    doc: "SQLite synchronous level: FULL (an acknowledged prediction survives power loss) or " +
      "NORMAL (survives a process crash only).",
  },
  STRICT_INPUT: {
    default: "1",
    doc: "1: every feature key must be present (null = missing). 0: absent keys count as missing.",
  },
  MAX_BATCH_ROWS: { default: "1000", doc: "Most rows accepted by /predict_batch (413 above)." },
  MAX_BODY_BYTES: { default: "1048576", doc: "Largest request body accepted (413 above)." },
  REQUEST_TIMEOUT_MS: { default: "10000", doc: "Longest time a request may take (504 after)." },
  MAX_CONCURRENT_REQUESTS: {
    default: "256",
    doc: "Requests handled at once; more are shed with 503 + Retry-After.",
  },
  RATE_LIMIT_PER_MINUTE: {
    default: "0",
    doc: "Requests per minute per API key (per client address in open mode) on the scoring " +
      "routes; 429 above. 0 = no limit.",
  },
  TRUST_PROXY: {
    default: "0",
    doc: "1: take the client address from X-Forwarded-For (only behind a trusted proxy).",
  },
  API_KEYS: {
    default: "",
    secret: true,
    doc: `Comma-separated keys for /predict, /predict_batch and /feedback (≥ ${MIN_KEY_LENGTH} ` +
      "chars each). With neither API_KEYS nor ADMIN_KEYS set, the service runs open.",
  },
  ADMIN_KEYS: {
    default: "",
    secret: true,
    doc: "Comma-separated keys for everything, including the site (/monitor) and /metrics.",
  },
  SESSION_SECRET: {
    default: "",
    secret: true,
    doc: "Signs site session cookies (≥ 32 chars); empty = random per process (a restart logs " +
      "everyone out).",
  },
  RETENTION_DAYS: {
    default: "0",
    doc: "Delete predictions older than this many days (checked hourly); 0 = keep forever.",
  },
  LOG_FLUSH_MS: {
    default: "0",
    doc: "Group commit: longest wait before queued log rows are committed " +
      "(0 = at the end of the event-loop turn).",
  },
  LOG_MAX_ROWS: { default: "512", doc: "Group commit: commit as soon as this many rows wait." },
  LOG_WRITER: {
    default: "inline",
    doc: "inline: commits run on the request thread, between event-loop turns (lowest latency). " +
      "worker: on a writer thread, so the fsync never blocks requests (higher batch throughput, " +
      "higher single-request latency; see the README's performance section).",
  },
  SCORE_COALESCE: {
    default: "1",
    doc:
      "1: rows of concurrent requests share one ONNX run. 0: one run per request (bench baseline).",
  },
  ORT_THREADS: { default: "1", doc: "onnxruntime-web WASM threads (1 or 2)." },
} as const satisfies Record<string, ConfigVarSpec>;

/** Names of the variables the service reads. */
export type ConfigVar = keyof typeof CONFIG_VARS;

const ConfigSchema = z.object({
  PORT: int(0, 65535),
  HOST: z.string().min(1),
  ARTIFACTS_DIR: z.string().min(1),
  DB_PATH: z.string().min(1),
  DB_FALLBACK_PATH: z.string(),
  DB_SYNCHRONOUS: z.enum(["FULL", "NORMAL"]),
  STRICT_INPUT: flag,
  MAX_BATCH_ROWS: int(1, 100_000),
  MAX_BODY_BYTES: int(1024, 512 * 1024 * 1024),
  REQUEST_TIMEOUT_MS: int(10, 600_000),
  MAX_CONCURRENT_REQUESTS: int(1, 1_000_000),
  RATE_LIMIT_PER_MINUTE: int(0, 100_000_000),
  TRUST_PROXY: flag,
  API_KEYS: keyList("API_KEYS"),
  ADMIN_KEYS: keyList("ADMIN_KEYS"),
  SESSION_SECRET: z.string().refine((s) => s === "" || s.length >= 32, "must be ≥ 32 characters"),
  RETENTION_DAYS: int(0, 36_500),
  LOG_FLUSH_MS: int(0, 1000),
  LOG_MAX_ROWS: int(1, 100_000),
  LOG_WRITER: z.enum(["worker", "inline"]),
  SCORE_COALESCE: flag,
  ORT_THREADS: int(1, 2),
});

/** The validated configuration. */
export interface Config {
  port: number;
  host: string;
  artifactsDir: string;
  dbPath: string;
  /** Empty: no fallback. */
  dbFallbackPath: string;
  dbSynchronous: "FULL" | "NORMAL";
  strictInput: boolean;
  maxBatchRows: number;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  maxConcurrentRequests: number;
  /** 0 = no limit. */
  rateLimitPerMinute: number;
  trustProxy: boolean;
  apiKeys: string[];
  adminKeys: string[];
  /** Empty: a random secret per process. */
  sessionSecret: string;
  /** 0 = keep forever. */
  retentionDays: number;
  logFlushMs: number;
  logMaxRows: number;
  logWriter: "worker" | "inline";
  scoreCoalesce: boolean;
  ortThreads: number;
}

function shown(name: string, value: string): string {
  const spec: ConfigVarSpec = CONFIG_VARS[name as ConfigVar];
  return spec?.secret ? `${name}=<redacted>` : `${name}=${JSON.stringify(value)}`;
}

/**
 * Reads the configuration from an environment lookup (default: the process
 * environment). Throws one Error listing every invalid variable; secret
 * values are never included.
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
      return `  ${shown(name, raw[name])}: ${i.message}`;
    });
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  const v = parsed.data;
  return {
    port: v.PORT,
    host: v.HOST,
    artifactsDir: v.ARTIFACTS_DIR,
    dbPath: v.DB_PATH,
    dbFallbackPath: v.DB_FALLBACK_PATH,
    dbSynchronous: v.DB_SYNCHRONOUS,
    strictInput: v.STRICT_INPUT,
    maxBatchRows: v.MAX_BATCH_ROWS,
    maxBodyBytes: v.MAX_BODY_BYTES,
    requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
    maxConcurrentRequests: v.MAX_CONCURRENT_REQUESTS,
    rateLimitPerMinute: v.RATE_LIMIT_PER_MINUTE,
    trustProxy: v.TRUST_PROXY,
    apiKeys: v.API_KEYS,
    adminKeys: v.ADMIN_KEYS,
    sessionSecret: v.SESSION_SECRET,
    retentionDays: v.RETENTION_DAYS,
    logFlushMs: v.LOG_FLUSH_MS,
    logMaxRows: v.LOG_MAX_ROWS,
    logWriter: v.LOG_WRITER,
    scoreCoalesce: v.SCORE_COALESCE,
    ortThreads: v.ORT_THREADS,
  };
}
