/**
 * The audit store: one contract ({@link Store}), two backends. SQLite (a file
 * path, the default) for one process; PostgreSQL (a `postgres://` URL) for
 * several replicas sharing one log. The API, the site, monitoring and the
 * tasks all go through this module; everything named `_*.ts` beside it is
 * private to the store.
 *
 * @module
 */
import type { Store } from "./_contract.ts";
import { openSqliteStore, type SqliteOptions } from "./_sqlite.ts";
import {
  isPostgresTarget,
  openPostgresStore,
  type PostgresOptions,
  redactPostgresUrl,
} from "./_postgres.ts";

export type { Store };
export { StoreWriteError } from "./_errors.ts";
export type {
  Decision,
  EntryResult,
  LogEntry,
  PredictionRecord,
  ShadowRecord,
  StoredPrediction,
} from "./_records.ts";
export type { PairCell, PairCellQuery, PairedOutcome, PairQuery } from "./_comparison.ts";
export type { PredictionPageQuery, PredictionQuery, PredictionSummary } from "./_predictions.ts";
export type {
  PredictionBucket,
  PredictionTotals,
  RollupFilter,
  SeriesFilter,
  VersionCount,
} from "./_rollups.ts";
export { minuteOf } from "./_rollups.ts";
export type {
  RequestFilter,
  RequestMinute,
  RequestSeriesFilter,
  StatusClass,
} from "./_requests.ts";
export { statusClassOf } from "./_requests.ts";
export type {
  LabelledPrediction,
  LabelledQuery,
  Outcome,
  OutcomeInput,
  OutcomeQuery,
  OutcomeRecord,
  RecordResult,
} from "./_outcomes.ts";
export type { StoredDriftReport } from "./_reports.ts";
export type {
  AlertDelivery,
  AlertStateRow,
  DriftHistoryEntry,
  MonitorStore,
  StoredHistoryEntry,
} from "./_monitor.ts";
export type { ModelChangeRow, ModelState, ModelStore } from "./_models.ts";
export type { DeleteByRequestIdOptions, DeleteOlderThanOptions, Erasure } from "./_erase.ts";
export { startRetention } from "./_erase.ts";
export type { GroupCommitEvents } from "./_group_commit.ts";
export type { Synchronous } from "./_sqlite.ts";
export type { SslMode } from "./_postgres.ts";
export {
  isPostgresTarget,
  parsePostgresUrl,
  POSTGRES_SCRUB,
  redactPostgresUrl,
} from "./_postgres.ts";

/**
 * Options for {@link openStore}: each backend reads its own (the SQLite ones
 * apply to a file path, the PostgreSQL ones to a URL) and ignores the others.
 */
export type StoreOptions = SqliteOptions & PostgresOptions;

/** Where a store target lives, safe to print: a file path as is, a URL without its password. */
export function describeTarget(target: string): string {
  return isPostgresTarget(target) ? redactPostgresUrl(target) : target;
}

/**
 * Opens the store at `target`: a `postgres://` (or `postgresql://`) URL, or
 * a SQLite file path (`:memory:` for a throw-away database).
 */
export function openStore(target: string, options: StoreOptions = {}): Promise<Store> {
  if (isPostgresTarget(target)) return openPostgresStore(target, options);
  try {
    return Promise.resolve(openSqliteStore(target, options));
  } catch (err) {
    return Promise.reject(err);
  }
}
