/**
 * Smoke test of a running Scorewatch service, from the outside, over HTTP:
 * waits for `/health/ready` (optionally for a given model version), reads
 * `/health`, scores one application built from the model metadata (medians
 * and modes, the same example the OpenAPI document shows), checks the answer
 * against the response schema and the decision rule, and optionally checks
 * that the audit database holds exactly that decision.
 *
 * Used by `scripts/docker_recipe.sh` (the image's recipe without Docker), by
 * CI against the built image, and by the deploy workflow (`--ready-only`
 * against the Space, waiting for the new model version).
 *
 * Exit codes: 0 all checks passed, 1 a check failed, 2 bad usage.
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import { buildSchemas } from "../../api/http/schemas.ts";
import { decide, readModelMeta, typicalApplicant } from "../../api/scoring/model_meta.ts";
import type { ModelMeta } from "../../api/scoring/model_meta.ts";
import { openStore, type Store } from "../../api/store/mod.ts";
import { parseFlags, parseIntegerFlag, UsageError } from "../lib/flags.ts";
import { spaceUrl } from "./space_url.ts";

/** A failed smoke check; the message says what was expected and what came back. */
export class SmokeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SmokeError";
  }
}

/** The subset of `fetch` the smoke test uses (tests pass the app's own handler). */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** Time source and wait, injected so that tests never sleep. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Wall clock and real timers. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Longest wait for one HTTP answer before the attempt counts as failed. */
const REQUEST_TIMEOUT_MS = 10_000;

/** `fetch` with a per-request timeout. */
export const timedFetch: Fetch = (url, init) =>
  fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

/** The body of `GET /health/ready`. */
export interface Ready {
  status: "ready";
  model_version: string;
}

/** Options of {@link waitForReady}. */
export interface WaitOptions {
  /** Keep waiting until the service reports this model version. */
  expectVersion?: string;
  /**
   * Keep waiting until `/health` reports an instance started at or after this
   * time (a deploy: the instance from before the push does not count).
   */
  startedAfter?: Date;
  timeoutMs: number;
  /** Pause between attempts (default 500 ms). */
  pollMs?: number;
  fetch?: Fetch;
  clock?: Clock;
}

function endpoint(baseUrl: string, path: string): string {
  return new URL(path, baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`).href;
}

/** Why a ready answer is not the awaited instance yet; `null` when it is. */
async function notYet(
  ready: Ready,
  options: WaitOptions & { doFetch: Fetch; baseUrl: string },
): Promise<string | null> {
  const { expectVersion, startedAfter } = options;
  if (expectVersion !== undefined && ready.model_version !== expectVersion) {
    return `model_version ${JSON.stringify(ready.model_version)}, waiting for ` +
      JSON.stringify(expectVersion);
  }
  if (startedAfter === undefined) return null;
  const res = await options.doFetch(endpoint(options.baseUrl, "health"));
  const text = await res.text();
  if (res.status !== 200) return `/health: HTTP ${res.status} ${text.slice(0, 300)}`;
  const started = Date.parse((JSON.parse(text) as { started_at?: string }).started_at ?? "");
  if (!(started >= startedAfter.getTime())) {
    return `the instance started at ${new Date(started).toISOString()}, waiting for one ` +
      `started after ${startedAfter.toISOString()}`;
  }
  return null;
}

/**
 * Polls `GET /health/ready` until it answers 200 (with `expectVersion`, and
 * from an instance started after `startedAfter`, when given) and returns its
 * body. Connection errors and other answers are retried until `timeoutMs`;
 * then throws a {@link SmokeError} quoting the last answer.
 */
export async function waitForReady(baseUrl: string, options: WaitOptions): Promise<Ready> {
  const { timeoutMs, pollMs = 500 } = options;
  const doFetch = options.fetch ?? timedFetch;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const url = endpoint(baseUrl, "health/ready");
  const deadline = clock.now() + timeoutMs;
  let last = "no answer";
  for (;;) {
    try {
      const res = await doFetch(url);
      const text = await res.text();
      if (res.status !== 200) {
        last = `HTTP ${res.status} ${text.slice(0, 300)}`;
      } else {
        const body = JSON.parse(text) as Ready;
        const reason = await notYet(body, { ...options, doFetch, baseUrl });
        if (reason === null) return body;
        last = reason;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    if (clock.now() >= deadline) {
      throw new SmokeError(`${url} not ready after ${Math.round(timeoutMs / 1000)} s: ${last}`);
    }
    await clock.sleep(pollMs);
  }
}

/**
 * What is wrong with a `/predict` answer for `meta`: schema violations, a
 * model version or threshold other than the metadata's, a decision that
 * contradicts the threshold rule, a request id other than the one sent.
 * Empty when the answer is right.
 */
export function predictionProblems(
  body: unknown,
  meta: ModelMeta,
  options: { requestId?: string } = {},
): string[] {
  const { Prediction } = buildSchemas(meta, { strict: true, maxBatchRows: 1 });
  const parsed = Prediction.safeParse(body);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
  }
  const p = parsed.data;
  const problems: string[] = [];
  if (p.model_version !== meta.model_version) {
    problems.push(`model_version ${p.model_version}, expected ${meta.model_version}`);
  }
  if (p.threshold !== meta.threshold) {
    problems.push(`threshold ${p.threshold}, expected ${meta.threshold}`);
  }
  const expected = decide(p.proba_default, p.threshold);
  if (p.decision !== expected) {
    problems.push(`decision ${p.decision} for proba ${p.proba_default}, expected ${expected}`);
  }
  if (options.requestId !== undefined && p.request_id !== options.requestId) {
    problems.push(`request_id ${p.request_id}, expected the X-Request-Id ${options.requestId}`);
  }
  return problems;
}

/** A scored answer, as far as the audit-row check needs it. */
export interface ScoredAnswer {
  request_id: string;
  proba_default: number;
  decision: number;
  model_version: string;
}

/**
 * What is wrong with the audit log for one answered request: no row or more
 * than one, or a row whose decision, probability, model version or logged
 * features differ from what was sent and answered. Opens the database
 * read-only. Empty when the row is right.
 */
export async function auditRowProblems(
  dbPath: string,
  answer: ScoredAnswer,
  features: Record<string, unknown>,
): Promise<string[]> {
  let store: Store;
  try {
    store = await openStore(dbPath, { readOnly: true });
  } catch (err) {
    return [`cannot open the audit database ${dbPath}: ${(err as Error).message}`];
  }
  try {
    const rows = await store.predictions.findByRequestId(answer.request_id);
    if (rows.length !== 1) {
      return [
        `${rows.length} audit rows for request ${answer.request_id} in ${dbPath}, expected 1`,
      ];
    }
    const [row] = rows;
    const problems: string[] = [];
    if (row.decision !== answer.decision) {
      problems.push(`logged decision ${row.decision}, answered ${answer.decision}`);
    }
    if (row.model_version !== answer.model_version) {
      problems.push(`logged model_version ${row.model_version}, answered ${answer.model_version}`);
    }
    if (Math.abs(row.proba_default - answer.proba_default) > 1e-9) {
      problems.push(`logged proba ${row.proba_default}, answered ${answer.proba_default}`);
    }
    if (!isDeepStrictEqual(JSON.parse(row.input_json), features)) {
      problems.push(`logged input ${row.input_json} differs from the features sent`);
    }
    return problems;
  } finally {
    await store.close();
  }
}

/** Options of {@link runSmoke}. */
export interface SmokeOptions {
  meta: ModelMeta;
  /** Readiness wait (ms). */
  timeoutMs: number;
  /** Only wait until ready with `meta.model_version`; score nothing (production). */
  readyOnly?: boolean;
  /** See {@link WaitOptions.startedAfter}. */
  startedAfter?: Date;
  /** Check the audit row in this database after scoring. */
  dbPath?: string;
  /** `/health` must list a warning containing this text. */
  expectWarning?: string;
  fetch?: Fetch;
  clock?: Clock;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** What a passing smoke run saw. */
export interface SmokeReport {
  ready: Ready;
  warnings?: string[];
  prediction?: ScoredAnswer & Record<string, unknown>;
}

async function getJson(doFetch: Fetch, url: string): Promise<unknown> {
  const res = await doFetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new SmokeError(`GET ${url}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

/**
 * Runs the smoke checks against `baseUrl`. Resolves with what it saw; throws
 * a {@link SmokeError} listing every problem of the first failing step.
 */
export async function runSmoke(baseUrl: string, options: SmokeOptions): Promise<SmokeReport> {
  const { meta } = options;
  const doFetch = options.fetch ?? timedFetch;
  const log = options.log ?? (() => {});
  const ready = await waitForReady(baseUrl, {
    expectVersion: meta.model_version,
    startedAfter: options.startedAfter,
    timeoutMs: options.timeoutMs,
    fetch: doFetch,
    clock: options.clock,
  });
  log(`ready: model ${ready.model_version}`);
  if (options.readyOnly) return { ready };

  const health = await getJson(doFetch, endpoint(baseUrl, "health")) as {
    status?: string;
    warnings?: unknown;
  };
  const warnings = Array.isArray(health.warnings) ? health.warnings.map(String) : [];
  log(`health: ${health.status}; warnings: ${warnings.length ? warnings.join(" | ") : "none"}`);
  if (health.status !== "ok") throw new SmokeError(`/health status ${health.status}, expected ok`);
  if (
    options.expectWarning !== undefined &&
    !warnings.some((w) => w.includes(options.expectWarning!))
  ) {
    throw new SmokeError(
      `/health lists no warning containing ${JSON.stringify(options.expectWarning)}; ` +
        `warnings: ${JSON.stringify(warnings)}`,
    );
  }

  const features = typicalApplicant(meta);
  const requestId = `smoke-${crypto.randomUUID()}`;
  const res = await doFetch(endpoint(baseUrl, "predict"), {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": requestId },
    body: JSON.stringify({ features }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new SmokeError(`POST /predict: HTTP ${res.status} ${text}`);
  const body = JSON.parse(text);
  const problems = predictionProblems(body, meta, { requestId });
  if (problems.length) {
    throw new SmokeError(`POST /predict answered ${text}:\n  ${problems.join("\n  ")}`);
  }
  log(`predict: ${body.decision} (proba ${body.proba_default}, request ${requestId})`);

  if (options.dbPath !== undefined) {
    const rowProblems = await auditRowProblems(options.dbPath, body, features);
    if (rowProblems.length) throw new SmokeError(`audit log:\n  ${rowProblems.join("\n  ")}`);
    log(`audit log: the decision is in ${options.dbPath}`);
  }
  return { ready, warnings, prediction: body };
}

/** Help text of the command line. */
export const SMOKE_USAGE = `Usage: deno run --allow-net=HOST --allow-read=ARTIFACTS[,DB_DIR] \\
         scripts/delivery/smoke_service.ts (--url URL | --space OWNER/NAME) [options]

Smoke-tests a running Scorewatch service.

Options:
  --url URL              service base URL, e.g. http://127.0.0.1:7860
  --space OWNER/NAME     a Hugging Face Space instead of --url (https://owner-name.hf.space)
  --artifacts DIR        model artifacts whose model_meta.json the service must serve
                         (default artifacts)
  --timeout-s N          how long to wait for /health/ready (default 60)
  --ready-only           only wait until ready with the artifacts' model version
  --started-after TIME   ... and until /health reports an instance started at or after
                         TIME (ISO 8601; a deploy's push time)
  --db PATH              check the scored row in this audit database (read-only)
  --expect-warning TEXT  /health must list a warning containing TEXT
  -h, --help             show this help

Exit codes: 0 passed, 1 a check failed, 2 bad usage.`;

/** Validated command-line options. */
export interface SmokeCliOptions {
  help: boolean;
  baseUrl: string;
  artifactsDir: string;
  timeoutMs: number;
  readyOnly: boolean;
  startedAfter?: Date;
  dbPath?: string;
  expectWarning?: string;
}

function parseStartedAfter(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const time = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(`--started-after ${JSON.stringify(text)}: expected an ISO 8601 date-time`);
  }
  return new Date(time);
}

/** Parses the flags; throws {@link UsageError} with a one-line message. */
export function parseSmokeArgs(args: readonly string[]): SmokeCliOptions {
  const values = parseFlags(args, {
    url: { type: "string" },
    space: { type: "string" },
    artifacts: { type: "string", default: "artifacts" },
    "timeout-s": { type: "string", default: "60" },
    "ready-only": { type: "boolean", default: false },
    "started-after": { type: "string" },
    db: { type: "string" },
    "expect-warning": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  const base = {
    artifactsDir: values.artifacts,
    timeoutMs: parseIntegerFlag("timeout-s", values["timeout-s"], { min: 0, max: 3600 }) * 1000,
    readyOnly: values["ready-only"],
    startedAfter: parseStartedAfter(values["started-after"]),
    dbPath: values.db,
    expectWarning: values["expect-warning"],
  };
  if (values.help) return { help: true, baseUrl: "", ...base };
  if ((values.url === undefined) === (values.space === undefined)) {
    throw new UsageError("give exactly one of --url and --space");
  }
  let baseUrl: string;
  try {
    baseUrl = values.space !== undefined ? spaceUrl(values.space) : new URL(values.url!).href;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { help: false, baseUrl, ...base };
}

async function main(args: string[]): Promise<number> {
  let cli: SmokeCliOptions;
  try {
    cli = parseSmokeArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`smoke: ${err.message}\n\n${SMOKE_USAGE}`);
    return 2;
  }
  if (cli.help) {
    console.log(SMOKE_USAGE);
    return 0;
  }
  try {
    const meta = await readModelMeta(cli.artifactsDir);
    console.log(`smoke: ${cli.baseUrl} (expecting model ${meta.model_version})`);
    await runSmoke(cli.baseUrl, { ...cli, meta, log: (line) => console.log(`smoke: ${line}`) });
    console.log("smoke: passed");
    return 0;
  } catch (err) {
    console.error(`smoke: FAILED: ${(err as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
