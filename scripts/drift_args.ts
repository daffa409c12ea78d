/**
 * Command-line flags of `deno task drift` (strict `node:util` parseArgs) and
 * their validation, as a pure function of the arguments and environment.
 *
 * @module
 */
import type { PredictionQuery } from "../api/store/mod.ts";
import { defaultStoreTarget } from "../api/store/location.ts";
import { DEFAULT_BINS } from "../monitoring/binning.ts";
import { DEFAULT_LIMIT } from "../monitoring/run_drift.ts";
import { parseFlags, parseIntegerFlag, parseTimestampFlag, UsageError } from "./lib/flags.ts";
import {
  DEFAULT_MIN_ROWS,
  DRIFT_LEVELS,
  type DriftLevel,
  parseDriftLevel,
} from "../monitoring/verdict.ts";

/** Help text of `deno task drift`, including the exit codes. */
export const DRIFT_USAGE = `Usage: deno task drift [options]

Compares recent logged predictions with the training reference sample and
writes a drift report (JSON) plus a summary table on stdout.

Options:
  --limit N|all       most recent N predictions of the window (default ${DEFAULT_LIMIT});
                      "all" = the whole window
  --since TS          only predictions logged at or after TS (ISO 8601, e.g. 2025-01-31
                      or 2025-01-31T12:00:00Z)
  --until TS          only predictions logged before TS
  --db PATH|URL       audit database: a SQLite file or a postgres:// URL (default:
                      $DATABASE_URL, else $DB_PATH, else data/predictions.sqlite)
  --reference PATH    reference sample CSV (default: the model's, reference_sample.csv
                      in the artifacts directory)
  --artifacts DIR     model artifacts, for the feature schema and threshold
                      (default: $ARTIFACTS_DIR or artifacts)
  --model-version V   only the rows model version V scored, answered or in the shadow
                      (with its own scores), against its own reference: --artifacts must
                      be V's artifacts directory
  --out PATH          report file (default outputs/monitoring/drift_report.json)
  --fail-on LEVEL     exit with code 3 when the overall verdict reaches LEVEL
                      (${DRIFT_LEVELS.filter((l) => l !== "low").join(" | ")})
  --bins N            numeric quantile bins (default ${DEFAULT_BINS})
  --min-rows N        fewer production rows give "insufficient_data" (default ${DEFAULT_MIN_ROWS})
  --chunk hour|day    also report the statistics per hour or per day of the window
  --notify            send the report's alerts (and the service's operational ones) to the
                      webhook: new ones once, then "resolved" when they clear; shares the
                      alert state with the service (neither sends a message twice); needs
                      write access to the database and --allow-net to the webhook's host
  --webhook URL       webhook for --notify (default: $ALERT_WEBHOOK_URL)
  --webhook-format F  json | slack (default: $ALERT_WEBHOOK_FORMAT or json)
  -h, --help          show this help

Exit codes:
  0  report written (verdict below --fail-on, or insufficient_data)
  1  error: missing database, reference or artifacts, empty window, unwritable output
  2  bad command-line usage
  3  report written and the overall verdict reaches --fail-on`;

/** Validated options of a drift run. */
export interface DriftCliOptions {
  help: boolean;
  query: PredictionQuery;
  dbPath: string;
  /** null: the model's own reference sample (in its artifacts directory). */
  referencePath: string | null;
  artifactsDir: string;
  outPath: string;
  failOn?: DriftLevel;
  bins: number;
  minRows: number;
  chunk?: "hour" | "day";
  /** --model-version: the version whose rows are compared with its own reference. */
  modelVersion?: string;
  /** With --notify: where and how to send. */
  notify?: { url: string; format: "json" | "slack" };
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === "") {
    throw new UsageError(`--${flag}: expected a non-empty value`);
  }
  return value;
}

/**
 * Parses and validates the flags. `env` reads `DATABASE_URL`, `DB_PATH` and `ARTIFACTS_DIR`
 * for the defaults. Throws {@link UsageError} with a one-line message.
 */
export function parseDriftArgs(
  args: readonly string[],
  env: (name: string) => string | undefined,
): DriftCliOptions {
  const values = parseFlags(args, {
    limit: { type: "string" },
    since: { type: "string" },
    until: { type: "string" },
    db: { type: "string" },
    reference: { type: "string" },
    artifacts: { type: "string" },
    out: { type: "string" },
    "fail-on": { type: "string" },
    bins: { type: "string" },
    "min-rows": { type: "string" },
    chunk: { type: "string" },
    "model-version": { type: "string" },
    notify: { type: "boolean" },
    webhook: { type: "string" },
    "webhook-format": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const chunk = values.chunk;
  if (chunk !== undefined && chunk !== "hour" && chunk !== "day") {
    throw new UsageError(`--chunk ${JSON.stringify(chunk)}: expected hour or day`);
  }
  let notify: DriftCliOptions["notify"];
  if (values.notify) {
    const url = nonEmpty("webhook", values.webhook) ?? env("ALERT_WEBHOOK_URL") ?? "";
    if (!/^https?:\/\/[^/\s]+/.test(url)) {
      throw new UsageError(
        "--notify needs a webhook: --webhook URL or ALERT_WEBHOOK_URL (http/https)",
      );
    }
    const format = values["webhook-format"] ?? env("ALERT_WEBHOOK_FORMAT") ?? "json";
    if (format !== "json" && format !== "slack") {
      throw new UsageError(`--webhook-format ${JSON.stringify(format)}: expected json or slack`);
    }
    notify = { url, format };
  } else if (values.webhook !== undefined || values["webhook-format"] !== undefined) {
    throw new UsageError("--webhook and --webhook-format apply only with --notify");
  }
  const limitText = nonEmpty("limit", values.limit) ?? String(DEFAULT_LIMIT);
  const limit = limitText === "all" ? undefined : parseIntegerFlag("limit", limitText, { min: 1 });
  const since = values.since === undefined ? undefined : parseTimestampFlag("since", values.since);
  const until = values.until === undefined ? undefined : parseTimestampFlag("until", values.until);
  if (since !== undefined && until !== undefined && since >= until) {
    throw new UsageError(`--since ${values.since} is not before --until ${values.until}`);
  }
  let failOn: DriftLevel | undefined;
  if (values["fail-on"] !== undefined) {
    failOn = parseDriftLevel(values["fail-on"]);
    if (failOn === undefined || failOn === "low") {
      throw new UsageError(
        `--fail-on ${JSON.stringify(values["fail-on"])}: expected moderate, high or severe`,
      );
    }
  }
  const query: PredictionQuery = {};
  if (since !== undefined) query.since = since;
  if (until !== undefined) query.until = until;
  if (limit !== undefined) query.limit = limit;
  const modelVersion = nonEmpty("model-version", values["model-version"]);
  if (modelVersion !== undefined) query.modelVersion = modelVersion;
  return {
    help: values.help ?? false,
    query,
    dbPath: nonEmpty("db", values.db) ?? defaultStoreTarget(env),
    referencePath: nonEmpty("reference", values.reference) ?? null,
    artifactsDir: nonEmpty("artifacts", values.artifacts) ?? env("ARTIFACTS_DIR") ?? "artifacts",
    outPath: nonEmpty("out", values.out) ?? "outputs/monitoring/drift_report.json",
    failOn,
    bins: values.bins === undefined
      ? DEFAULT_BINS
      : parseIntegerFlag("bins", values.bins, { min: 2, max: 100 }),
    minRows: values["min-rows"] === undefined
      ? DEFAULT_MIN_ROWS
      : parseIntegerFlag("min-rows", values["min-rows"], { min: 1 }),
    ...(chunk ? { chunk } : {}),
    ...(modelVersion !== undefined ? { modelVersion } : {}),
    ...(notify ? { notify } : {}),
  };
}
