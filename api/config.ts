/**
 * Service configuration: one table, {@link CONFIG}, names every environment
 * variable with its default, meaning, validation and the field it fills. The
 * zod schema, the {@link Config} type, the README's configuration table
 * (`scripts/config_table.ts`) and the `--allow-env` lists of the `start` and
 * `dev` tasks all come from it (and tests hold them to it).
 *
 * @module
 */
import { z } from "zod";
import { MIN_KEY_LENGTH, parseKeyList } from "./auth/api_keys.ts";
import { parseFrameAncestors } from "./http/frame_ancestors.ts";
import { isPostgresTarget, parsePostgresUrl } from "./store/mod.ts";

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

const frameSources = z.string().transform((value, ctx) => {
  try {
    return parseFrameAncestors(value);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

/** One variable: the field it fills, its default (as text), meaning, validation, secrecy. */
export interface ConfigVarSpec {
  key: string;
  default: string;
  doc: string;
  schema: z.ZodType<unknown, string>;
  /** Never echoed in error messages or logs. */
  secret?: boolean;
}

/**
 * Every environment variable the service reads. Defaults are strings, as they
 * would be in the environment, and go through the same validation.
 */
export const CONFIG = {
  PORT: {
    key: "port",
    default: "8000",
    doc: "TCP port to listen on (the container sets 7860).",
    schema: int(0, 65535),
  },
  HOST: {
    key: "host",
    default: "127.0.0.1",
    doc: "Interface to bind; 0.0.0.0 in the container.",
    schema: z.string().min(1),
  },
  ARTIFACTS_DIR: {
    key: "artifactsDir",
    default: "artifacts",
    doc: "The model's artifacts directory (train or import-model output); the champion " +
      "until /models promotes another version.",
    schema: z.string().min(1),
  },
  MODELS_DIR: {
    key: "modelsDir",
    default: "",
    doc: "Model registry: one artifacts directory per version (besides ARTIFACTS_DIR); " +
      "the champion and shadows are chosen through /models. Under . or /data (read permission).",
    schema: z.string(),
  },
  DB_PATH: {
    key: "dbPath",
    default: "data/predictions.sqlite",
    doc: "SQLite audit log; created with its directory on first run.",
    schema: z.string().min(1),
  },
  DATABASE_URL: {
    key: "databaseUrl",
    default: "",
    secret: true,
    doc: "PostgreSQL audit log, shared by every replica: " +
      "postgres://user:password@host:5432/db?sslmode=verify-full&sslrootcert=/path/ca.pem " +
      "(libpq URL form; the password is never shown). Empty = SQLite at DB_PATH.",
    schema: z.string().superRefine((value, ctx) => {
      if (value === "") return;
      if (!isPostgresTarget(value)) {
        ctx.addIssue({ code: "custom", message: "must be a postgres:// URL (or empty)" });
        return;
      }
      try {
        parsePostgresUrl(value);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
      }
    }),
  },
  DATABASE_POOL_SIZE: {
    key: "databasePoolSize",
    default: "10",
    doc: "PostgreSQL connections per serving worker (opened on demand); the server's " +
      "max_connections must cover replicas × WORKERS × this, plus 2 per drift recompute.",
    schema: int(1, 1000),
  },
  WORKERS: {
    key: "workers",
    default: "1",
    doc: "Serving workers (threads, each with its own model session and database pool) sharing " +
      "the port (SO_REUSEPORT, Linux). More than 1 needs DATABASE_URL: on one SQLite file the " +
      "workers queue for its write lock (measured: no gain, 503s under load; README, Deployment).",
    schema: int(1, 64),
  },
  ALLOW_SQLITE_WORKERS: {
    key: "allowSqliteWorkers",
    default: "0",
    doc:
      "1: accept WORKERS > 1 on SQLite anyway — for measuring it (deno task bench http --variants predict-workers2); " +
      "expect 503s under load.",
    schema: flag,
  },
  DB_FALLBACK_PATH: {
    key: "dbFallbackPath",
    default: "",
    doc: "Used instead of DB_PATH (with a warning on /health and the site) when DB_PATH's " +
      "directory does not exist or is not writable; empty = no fallback, fail at start.",
    schema: z.string(),
  },
  DB_SYNCHRONOUS: {
    key: "dbSynchronous",
    default: "FULL",
    doc: "SQLite synchronous level: FULL (an acknowledged prediction survives power loss) or " +
      "NORMAL (survives a process crash only).",
    schema: z.enum(["FULL", "NORMAL"]),
  },
  STRICT_INPUT: {
    key: "strictInput",
    default: "1",
    doc: "1: every feature key must be present (null = missing). 0: absent keys count as missing.",
    schema: flag,
  },
  MAX_BATCH_ROWS: {
    key: "maxBatchRows",
    default: "1000",
    doc: "Most rows accepted by /predict_batch (413 above).",
    schema: int(1, 100_000),
  },
  MAX_BODY_BYTES: {
    key: "maxBodyBytes",
    default: "1048576",
    doc: "Largest request body accepted (413 above).",
    schema: int(1024, 512 * 1024 * 1024),
  },
  REQUEST_TIMEOUT_MS: {
    key: "requestTimeoutMs",
    default: "10000",
    doc: "Longest time a request may take (504 after).",
    schema: int(10, 600_000),
  },
  MAX_CONCURRENT_REQUESTS: {
    key: "maxConcurrentRequests",
    default: "256",
    doc: "Requests handled at once; more are shed with 503 + Retry-After.",
    schema: int(1, 1_000_000),
  },
  RATE_LIMIT_PER_MINUTE: {
    key: "rateLimitPerMinute",
    default: "0",
    doc: "Requests per minute per API key (per client address in open mode) on the scoring " +
      "routes, counted by each replica and worker; 429 above. 0 = no limit.",
    schema: int(0, 100_000_000),
  },
  TRUST_PROXY: {
    key: "trustProxy",
    default: "0",
    doc: "1: take the client address from the last X-Forwarded-For entry, the one the proxy " +
      "appended (only behind one trusted proxy, e.g. Hugging Face Spaces).",
    schema: flag,
  },
  API_KEYS: {
    key: "apiKeys",
    default: "",
    secret: true,
    doc: `Comma-separated keys for /predict, /predict_batch and /feedback (≥ ${MIN_KEY_LENGTH} ` +
      "chars each). With neither API_KEYS nor ADMIN_KEYS set, the service runs open.",
    schema: keyList("API_KEYS"),
  },
  ADMIN_KEYS: {
    key: "adminKeys",
    default: "",
    secret: true,
    doc: "Comma-separated keys for everything, including the site (/monitor) and /metrics.",
    schema: keyList("ADMIN_KEYS"),
  },
  SESSION_SECRET: {
    key: "sessionSecret",
    default: "",
    secret: true,
    doc: "Signs site session cookies (≥ 32 chars); empty = random per process (a restart logs " +
      "everyone out).",
    schema: z.string().refine((s) => s === "" || s.length >= 32, "must be ≥ 32 characters"),
  },
  AUTH_FAILURES_PER_MINUTE: {
    key: "authFailuresPerMinute",
    default: "10",
    doc: "Wrong API keys and failed site logins allowed per client address per minute; past " +
      "it every request of that address presenting a key or logging in gets 429 until the " +
      "minute ends. 0 = no limit.",
    schema: int(0, 1_000_000),
  },
  FRAME_ANCESTORS: {
    key: "frameAncestors",
    default: "",
    doc: "Who may frame the site and /docs (CSP frame-ancestors), space-separated: 'self', " +
      "'none' or origins. Empty = 'self', plus on a Hugging Face Space (SPACE_HOST or SPACE_ID " +
      "set) https://huggingface.co and the Space's own host.",
    schema: frameSources,
  },
  SPACE_HOST: {
    key: "spaceHost",
    default: "",
    doc: "Set by Hugging Face Spaces (e.g. alice-scorewatch.hf.space); read only for the " +
      "FRAME_ANCESTORS default.",
    schema: z.string(),
  },
  SPACE_ID: {
    key: "spaceId",
    default: "",
    doc: "Set by Hugging Face Spaces (e.g. alice/scorewatch); read only for the FRAME_ANCESTORS " +
      "default when SPACE_HOST is not set.",
    schema: z.string(),
  },
  RETENTION_DAYS: {
    key: "retentionDays",
    default: "0",
    doc: "Delete predictions older than this many days (checked hourly); 0 = keep forever.",
    schema: int(0, 36_500),
  },
  LOG_FLUSH_MS: {
    key: "logFlushMs",
    default: "0",
    doc: "Group commit: longest wait before queued log rows are committed " +
      "(0 = at the end of the event-loop turn).",
    schema: int(0, 1000),
  },
  LOG_MAX_ROWS: {
    key: "logMaxRows",
    default: "512",
    doc: "Group commit: commit as soon as this many rows wait.",
    schema: int(1, 100_000),
  },
  DRIFT_INTERVAL_MINUTES: {
    key: "driftIntervalMinutes",
    default: "60",
    doc: "The service computes the drift + performance report (off the request path) every " +
      "this many minutes; 0 = only when DRIFT_MIN_NEW_ROWS new predictions arrived.",
    schema: int(0, 10_080),
  },
  DRIFT_MIN_NEW_ROWS: {
    key: "driftMinNewRows",
    default: "10000",
    doc: "Also compute a report as soon as this many predictions arrived since the last one; " +
      "0 = by time only. Both 0: no scheduled reports.",
    schema: int(0, 100_000_000),
  },
  DRIFT_WINDOW_HOURS: {
    key: "driftWindowHours",
    default: "24",
    doc: "Hours of predictions a scheduled report covers (chunked per hour up to 72, per day " +
      "beyond).",
    schema: int(1, 8760),
  },
  ALERT_WEBHOOK_URL: {
    key: "alertWebhookUrl",
    default: "",
    secret: true,
    doc: "Alerts are POSTed here when they appear and when they clear (empty = none). The " +
      "process needs --allow-net to its host (see Alerts in the README).",
    schema: z.string().refine(
      (s) => s === "" || /^https?:\/\/[^/\s]+/.test(s),
      "must be an http(s) URL",
    ),
  },
  ALERT_WEBHOOK_FORMAT: {
    key: "alertWebhookFormat",
    default: "json",
    doc: "Alert message shape: json (every field) or slack (a Slack-compatible text message).",
    schema: z.enum(["json", "slack"]),
  },
} as const satisfies Record<string, ConfigVarSpec>;

/**
 * Environment variables read by a library rather than by the service: the
 * PostgreSQL driver (`npm:pg`) reads libpq's `PG*` variables for whatever
 * `DATABASE_URL` leaves unsaid (e.g. `PGPASSWORD`). The `start` and `dev`
 * tasks allow these besides {@link CONFIG}'s.
 */
export const DRIVER_ENV: readonly string[] = ["PG*"];

type Table = typeof CONFIG;

/** Names of the variables the service reads. */
export type ConfigVar = keyof Table;

/** The validated configuration: one field per variable, named by its `key`. */
export type Config = {
  -readonly [V in ConfigVar as Table[V]["key"]]: z.output<Table[V]["schema"]>;
};

const ConfigSchema = z.object(
  Object.fromEntries(Object.entries(CONFIG).map(([name, spec]) => [name, spec.schema])),
).superRefine((values, ctx) => {
  // Measured (deno task bench http --variants predict-workers2,predict-pg-workers2): on SQLite more workers bring no throughput and, under
  // load, commits that outwait the busy timeout (503s); PostgreSQL takes concurrent commits.
  if (
    (values.WORKERS as number) > 1 && values.DATABASE_URL === "" && !values.ALLOW_SQLITE_WORKERS
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["WORKERS"],
      message: "more than one worker needs DATABASE_URL (PostgreSQL): on SQLite the workers " +
        "would queue for the file's write lock (no gain; 503s under load)",
    });
  }
});

function shown(name: string, value: string): string {
  const spec: ConfigVarSpec = CONFIG[name as ConfigVar];
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
    Object.entries(CONFIG).map(([name, spec]) => [name, getEnv(name) ?? spec.default]),
  );
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `  ${shown(name, raw[name])}: ${i.message}`;
    });
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  const values = parsed.data as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(CONFIG).map(([name, spec]) => [spec.key, values[name]]),
  ) as Config;
}

/** Every variable at its default: the configuration of a fresh, local, open service. */
export const DEFAULT_CONFIG: Readonly<Config> = loadConfig(() => undefined);
