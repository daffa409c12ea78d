/**
 * The store contract: what the API, the site, monitoring and the tasks may
 * ask of the audit store, whichever backend holds it (SQLite embedded, or
 * PostgreSQL shared by replicas). Every read is asynchronous; the audit log
 * is written only through {@link Store.append}, a group commit that
 * resolves after the entry's transaction committed.
 *
 * @module
 */
import type { ComparisonReads } from "./_comparison.ts";
import type { EraseOps } from "./_erase.ts";
import type { ModelStore } from "./_models.ts";
import type { MonitorStore } from "./_monitor.ts";
import type { OutcomeStore } from "./_outcomes.ts";
import type { PredictionReads } from "./_predictions.ts";
import type { EntryResult, LogEntry } from "./_records.ts";
import type { DriftReportStore } from "./_reports.ts";
import type { RequestStatsStore } from "./_requests.ts";
import type { RollupReads } from "./_rollups.ts";

/** The audit store. */
export interface Store {
  readonly backend: "sqlite" | "postgres";
  /** What it was opened with (a path or a URL, credentials included): another connection opens the same. */
  readonly target: string;
  /** Where it lives, for people: a file path, or a PostgreSQL URL without its password. */
  readonly location: string;
  /**
   * Logs one request's rows (and their shadow scores), all or none; resolves
   * once they are committed, in one transaction with the entries queued
   * concurrently: `logged`, or `duplicate` when the client already used one
   * of the request ids (nothing of the entry is written). Rejects with
   * `StoreWriteError` when the transaction did not commit.
   */
  append(entry: LogEntry): Promise<EntryResult>;
  /** Rows queued for the next commit. */
  readonly queueDepth: number;
  /** Commits a one-row probe write: true when the database takes writes now. */
  checkWritable(): Promise<boolean>;
  readonly predictions: PredictionReads;
  /** Two model versions' scores of the same rows (champion vs challenger). */
  readonly comparison: ComparisonReads;
  readonly rollups: RollupReads;
  readonly requests: RequestStatsStore;
  readonly outcomes: OutcomeStore;
  readonly reports: DriftReportStore;
  /** Monitoring automation: drift history, the scheduler's lease, alert state, deliveries. */
  readonly monitor: MonitorStore;
  /** The model lifecycle: champion, previous champion, shadows, and the audit of changes. */
  readonly models: ModelStore;
  readonly erase: EraseOps;
  /** Commits what is queued, waits for it, then closes the database (once; later calls do nothing). */
  close(): Promise<void>;
}
