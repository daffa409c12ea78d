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
export type { DeleteByRequestIdOptions, DeleteOlderThanOptions, Erasure } from "./_erase.ts";
export { startRetention } from "./_erase.ts";
export type { GroupCommitEvents } from "./_group_commit.ts";
export type { Synchronous } from "./_sqlite.ts";

/** Options for {@link openStore} (the SQLite ones apply to a file path only). */
export type StoreOptions = SqliteOptions;

/** Opens the store at `target`: a SQLite file path (`:memory:` for a throw-away database). */
export function openStore(target: string, options: StoreOptions = {}): Promise<Store> {
  try {
    return Promise.resolve(openSqliteStore(target, options));
  } catch (err) {
    return Promise.reject(err);
  }
}
