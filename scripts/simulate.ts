/**
 * `deno task simulate`: writes N realistic logged predictions into the audit
 * store, for the monitoring pages and drift demos. Each row is an application
 * drawn (seeded, with replacement) from a CSV of real applications, optionally
 * drifted (`--scale`, `--missing`, `--shift`), scored by the real model
 * (`loadModel`, in batches) and appended through the real store code, with
 * timestamps spread evenly over a time range.
 *
 * Latencies are synthetic (0.5 ms + an exponential with mean 1.5 ms): the
 * simulator scores in large batches, so no per-request latency exists.
 * Request ids are `sim-<run>-<row>` (a random run id, then the row number,
 * zero-padded): simulated rows can be told apart, ids stay unique across
 * runs, and each run appends to the request-id index in order instead of at
 * random places (random UUIDs made a million-row run several times slower).
 *
 * Exit codes: 0 done, 1 error (missing model, source or database problem),
 * 2 bad usage (flags, drift specs that do not fit the schema).
 *
 * @module
 */
import { readCsvFile, tableToFeatures } from "../api/scoring/feature_csv.ts";
import type { Features } from "../api/scoring/feature_vector.ts";
import { loadModel } from "../api/scoring/model.ts";
import { describeTarget, openStore, type PredictionRecord, type Store } from "../api/store/mod.ts";
import { defaultStoreTarget } from "../api/store/location.ts";
import {
  parseFlags,
  parseIntegerFlag,
  parseNumberFlag,
  parseTimestampFlag,
  UsageError,
} from "./lib/flags.ts";
import {
  applyDrift,
  type DriftSpec,
  DriftSpecError,
  parseDecoupleSpec,
  parseMissingSpec,
  parseScaleSpec,
  parseShiftSpec,
  planDrift,
} from "./lib/drift_injection.ts";
import { createProgress } from "./lib/progress.ts";
import { type Random, seededRandom } from "../monitoring/seeded_random.ts";
import { decide } from "../api/scoring/model_meta.ts";

/** Help text of `deno task simulate`. */
export const SIMULATE_USAGE = `Usage: deno task simulate [options]

Writes simulated, scored predictions into the audit database.

Options:
  --n N                 predictions to write (default 1000)
  --db PATH|URL         audit database: a SQLite file or a postgres:// URL (default:
                        $DATABASE_URL, else $DB_PATH, else data/predictions.sqlite)
  --artifacts DIR       model artifacts (default: $ARTIFACTS_DIR or artifacts)
  --source PATH         applications to draw from (default: the model's reference
                        sample, reference_sample.csv in the artifacts directory)
  --seed N              random seed (default 42)
  --start TS            timestamp of the first row, ISO 8601 (default: now − spread)
  --spread-hours H      rows are spread evenly over H hours (default 24)
  --scale F=FACTOR      multiply numeric feature F by FACTOR (repeatable)
  --missing F=SHARE     raise the missing share of feature F to SHARE (repeatable)
  --shift F=LEVEL:SHARE set the share of LEVEL among present values of F (repeatable)
  --decouple F          give each row the F of another random application: a broken join,
                        F's distribution unchanged, its relation to the rest gone (repeatable)
  --outcomes SHARE      also record the true outcome (the source row's label) for this
                        share of the rows, as if lenders had fed it back (default 0)
  --label-noise SHARE   flip this share of the recorded outcomes (shows an AUC drop)
  --batch N             rows scored and committed together (default 10000)
  -h, --help            show this help

Exit codes: 0 done, 1 error, 2 bad usage.`;

/** Validated simulator options. */
export interface SimulateOptions {
  n: number;
  dbPath: string;
  artifactsDir: string;
  /** Applications to draw from; null: the model's reference sample. */
  sourcePath: string | null;
  seed: number;
  /** Timestamp of the first row, epoch milliseconds. */
  startMs: number;
  spreadHours: number;
  drift: DriftSpec[];
  /** Share of rows whose outcome is recorded. Default 0. */
  outcomes?: number;
  /** Share of recorded outcomes flipped. Default 0. */
  labelNoise?: number;
  batchSize: number;
}

/** Parses the flags; throws {@link UsageError} or `DriftSpecError` with a one-line message. */
export function parseSimulateArgs(
  args: readonly string[],
  context: { env: (name: string) => string | undefined; now: () => Date },
): SimulateOptions & { help: boolean } {
  const values = parseFlags(args, {
    n: { type: "string" },
    db: { type: "string" },
    artifacts: { type: "string" },
    source: { type: "string" },
    seed: { type: "string" },
    start: { type: "string" },
    "spread-hours": { type: "string" },
    scale: { type: "string", multiple: true },
    missing: { type: "string", multiple: true },
    shift: { type: "string", multiple: true },
    decouple: { type: "string", multiple: true },
    batch: { type: "string" },
    outcomes: { type: "string" },
    "label-noise": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const spreadHours = values["spread-hours"] === undefined
    ? 24
    : parseNumberFlag("spread-hours", values["spread-hours"], { min: 0 });
  const startMs = values.start === undefined
    ? context.now().getTime() - spreadHours * 3_600_000
    : Date.parse(parseTimestampFlag("start", values.start));
  return {
    help: values.help ?? false,
    n: values.n === undefined ? 1000 : parseIntegerFlag("n", values.n, { min: 1 }),
    dbPath: values.db ?? defaultStoreTarget(context.env),
    artifactsDir: values.artifacts ?? context.env("ARTIFACTS_DIR") ?? "artifacts",
    sourcePath: values.source ?? null,
    seed: values.seed === undefined ? 42 : parseIntegerFlag("seed", values.seed, { min: 0 }),
    startMs,
    spreadHours,
    drift: [
      ...(values.scale ?? []).map(parseScaleSpec),
      ...(values.missing ?? []).map(parseMissingSpec),
      ...(values.shift ?? []).map(parseShiftSpec),
      ...(values.decouple ?? []).map(parseDecoupleSpec),
    ],
    outcomes: values.outcomes === undefined
      ? 0
      : parseNumberFlag("outcomes", values.outcomes, { min: 0, max: 1 }),
    labelNoise: values["label-noise"] === undefined
      ? 0
      : parseNumberFlag("label-noise", values["label-noise"], { min: 0, max: 1 }),
    batchSize: values.batch === undefined
      ? 10_000
      : parseIntegerFlag("batch", values.batch, { min: 1, max: 1_000_000 }),
  };
}

/** Synthetic API latency in ms: 0.5 + Exp(mean 1.5), 3 decimals. */
function syntheticLatency(rng: Random): number {
  return Math.round((0.5 - 1.5 * Math.log(1 - rng.next())) * 1000) / 1000;
}

/** Source labels (1 = default), when outcomes are wanted; throws without a target column. */
function sourceLabels(
  records: readonly Readonly<Record<string, string | null>>[],
  target: { name: string; positive_label: string; negative_label: string } | null,
  wanted: boolean,
): (0 | 1)[] | null {
  if (!wanted) return null;
  if (target === null) {
    throw new Error("--outcomes needs labels, and this model was imported without a target");
  }
  return records.map((r, i) => {
    const v = r[target.name];
    if (v === target.positive_label) return 1;
    if (v === target.negative_label) return 0;
    throw new Error(
      `--outcomes needs a ${target.name} column of ${target.positive_label}/${target.negative_label} ` +
        `in the source (row ${i + 1}: ${JSON.stringify(v)})`,
    );
  });
}

/** Records the outcomes of a share of `records` through the store, as /feedback does. */
async function recordOutcomes(
  store: Pick<Store, "outcomes">,
  records: readonly PredictionRecord[],
  o: {
    label: (i: number) => 0 | 1;
    share: number;
    noise: number;
    rng: Random;
    nowMs: number;
  },
): Promise<void> {
  for (const [i, r] of records.entries()) {
    if (o.rng.next() >= o.share) continue;
    const label = o.rng.next() < o.noise ? 1 - o.label(i) : o.label(i);
    const observed = new Date(Math.max(Date.parse(r.ts_utc), o.nowMs)).toISOString();
    await store.outcomes.record({
      request_id: r.request_id,
      client_id: r.client_id,
      outcome: label === 1 ? "default" : "repaid",
      observed_at: observed,
    }, new Date(o.nowMs));
  }
}

/** Options for {@link simulateTraffic} beyond the parsed flags. */
export interface SimulateHooks {
  /** Called after each committed batch with the rows written so far. */
  onProgress?: (rows: number) => void;
}

/**
 * Writes `options.n` simulated predictions; returns the rows written and the
 * model version. Deterministic for a seed except for request ids.
 */
export async function simulateTraffic(
  options: SimulateOptions,
  hooks: SimulateHooks = {},
): Promise<{ rows: number; modelVersion: string }> {
  const model = await loadModel(options.artifactsDir);
  try {
    const meta = model.meta;
    const sourcePath = options.sourcePath ?? model.referencePath;
    const table = await readCsvFile(sourcePath);
    const source = tableToFeatures(table, meta.features);
    const labels = sourceLabels(table.records, meta.target, (options.outcomes ?? 0) > 0);
    if (source.length === 0) throw new Error(`${sourcePath}: no rows`);
    const plan = planDrift(options.drift, { features: meta.features, source });
    const rng = seededRandom(options.seed);
    const stepMs = (options.spreadHours * 3_600_000) / options.n;
    const runId = crypto.randomUUID().slice(0, 8);
    const store = await openStore(options.dbPath, {
      synchronous: "NORMAL",
      maxBatchRows: options.batchSize,
    });
    const nowMs = Date.now();
    try {
      for (let done = 0; done < options.n;) {
        const size = Math.min(options.batchSize, options.n - done);
        const rows: Features[] = new Array(size);
        const picked: number[] = new Array(size);
        for (let i = 0; i < size; i++) {
          picked[i] = rng.int(0, source.length - 1);
          rows[i] = applyDrift(plan, source[picked[i]], rng);
        }
        const probas = await model.scoreRows(rows);
        const records: PredictionRecord[] = new Array(size);
        for (let i = 0; i < size; i++) {
          records[i] = {
            ts_utc: new Date(options.startMs + Math.floor((done + i) * stepMs)).toISOString(),
            client_id: "",
            request_id: `sim-${runId}-${String(done + i).padStart(9, "0")}`,
            model_version: meta.model_version,
            proba_default: probas[i],
            threshold: meta.threshold,
            decision: decide(probas[i], meta.threshold),
            latency_ms: syntheticLatency(rng),
            input_json: JSON.stringify(rows[i]),
          };
        }
        await store.append({ rows: records });
        if (labels) {
          await recordOutcomes(store, records, {
            label: (i) => labels[picked[i]],
            share: options.outcomes ?? 0,
            noise: options.labelNoise ?? 0,
            rng,
            nowMs,
          });
        }
        done += size;
        hooks.onProgress?.(done);
      }
    } finally {
      await store.close();
    }
    return { rows: options.n, modelVersion: meta.model_version };
  } finally {
    await model.release();
  }
}

/** Runs the task with these arguments; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseSimulateArgs(args, { env: (n) => Deno.env.get(n), now: () => new Date() });
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof DriftSpecError)) throw err;
    console.error(`simulate: ${err.message} (see --help)`);
    return 2;
  }
  if (options.help) {
    console.log(SIMULATE_USAGE);
    return 0;
  }
  const progress = createProgress({ label: "simulate", total: options.n });
  try {
    const started = performance.now();
    const result = await simulateTraffic(options, { onProgress: (n) => progress.update(n) });
    progress.stop();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `wrote ${result.rows} predictions (model ${result.modelVersion}) to ` +
        `${describeTarget(options.dbPath)} ` +
        `in ${seconds.toFixed(1)} s`,
    );
    return 0;
  } catch (err) {
    progress.stop();
    console.error(`simulate: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof DriftSpecError ? 2 : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
