/**
 * The monitoring scheduler: a service component (wired in `main.ts`) that
 * computes the drift + performance report by itself — every
 * `DRIFT_INTERVAL_MINUTES`, and as soon as `DRIFT_MIN_NEW_ROWS` predictions
 * arrived since the last report — over the last `DRIFT_WINDOW_HOURS`, on a
 * worker thread (the request thread keeps serving), stores it as the latest
 * report and as a point of the drift history (with per-hour or per-day
 * chunks), then evaluates the alerts (the report's, plus operational ones)
 * and sends what is due to the webhook.
 *
 * Decisions:
 * - **One replica computes.** Each run takes a lease in the database
 *   (`monitor_leases`, a conditional upsert) and re-checks, under it, that a
 *   report is still due: replicas sharing a PostgreSQL database compute
 *   once per interval. The lease expires by itself (a crashed holder blocks
 *   nobody for longer than `leaseMs`).
 * - **Clock and trigger are injectable.** {@link MonitorScheduler.tick}
 *   checks and runs once; {@link MonitorScheduler.start} only calls it on a
 *   timer (every minute by default) and once at start. Tests pin the clock
 *   and call `tick()` — no sleeps.
 * - **Failures stay here.** A failed run is reported through `onError` and
 *   retried at the next check; the webhook never throws; scoring never waits
 *   on any of it.
 * - Not in `monitoring/`: that stays a pure library (no timers, no I/O of
 *   its own); this module is the I/O around it.
 *
 * @module
 */
import type { ModelMeta } from "../scoring/model_meta.ts";
import type { Store } from "../store/mod.ts";
import type { ChunkSize, DriftReport } from "../../monitoring/drift_report.ts";
import { historySummary } from "../../monitoring/drift_history.ts";
import { operationalAlerts } from "../../monitoring/operational.ts";
import type { ReferenceProfile } from "../../monitoring/reference_profile.ts";
import { computeDriftJob, type DriftJob } from "./drift_job.ts";
import { type AlertChannel, notifyAlerts, type NotifyResult } from "./notifier.ts";

/** Name of the scheduler's lease. */
export const LEASE_NAME = "drift-report";

/** Settings of the scheduler. */
export interface SchedulerSettings {
  /** Minutes between reports; 0 = never by time. */
  intervalMinutes: number;
  /** New predictions that trigger a report before the interval ends; 0 = never by rows. */
  minNewRows: number;
  /** Hours of predictions a report covers. */
  windowHours: number;
  /** Most rows of the window read (the most recent). Default 1,000,000. */
  maxRows?: number;
  /** Fewer rows in the window: no report yet. Default 200. */
  minRows?: number;
}

/** What the scheduler is built from. */
export interface SchedulerDeps {
  store: Store;
  meta: Pick<ModelMeta, "model_version" | "cost_matrix" | "metrics">;
  /** The reference profile (null: no reference sample, nothing to compare with). */
  profile: () => Promise<ReferenceProfile | null>;
  settings: SchedulerSettings;
  /** Where alert messages go; none: alert state is still kept and shown. */
  channel?: AlertChannel | null;
  now?: () => Date;
  /** Identifies this replica in the lease. Default: a random id. */
  holder?: string;
  /** How long a lease lasts. Default 15 minutes. */
  leaseMs?: number;
  /** Computes a report (default: on a worker thread). */
  compute?: (job: DriftJob) => Promise<DriftReport>;
  onError?: (err: unknown) => void;
  onReport?: (report: DriftReport, notified: NotifyResult) => void;
}

/** What one check did. */
export type TickOutcome =
  | { status: "not_due" | "no_reference" | "busy" }
  | { status: "no_rows"; rows: number }
  | { status: "computed"; report: DriftReport; notified: NotifyResult }
  | { status: "error"; error: unknown };

/** The scheduler. */
export interface MonitorScheduler {
  /** Checks once whether a report is due and, holding the lease, computes and notifies. */
  tick(): Promise<TickOutcome>;
  /** Checks now and then every `checkEveryMs` (default 60 s). */
  start(checkEveryMs?: number): void;
  /** Stops the timer and waits for a running check. */
  stop(): Promise<void>;
}

/** The chunk size of a window: hours up to three days, days beyond. */
export function chunkFor(windowHours: number): ChunkSize {
  return windowHours <= 72 ? "hour" : "day";
}

/** The main model version of a history point (most rows), if any. */
function mainVersion(versions: Record<string, number> | undefined): string | null {
  const entries = Object.entries(versions ?? {});
  if (entries.length === 0) return null;
  return entries.sort((a, b) => b[1] - a[1])[0][0];
}

/** Builds a scheduler (not started). */
export function createMonitorScheduler(deps: SchedulerDeps): MonitorScheduler {
  const { store, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const holder = deps.holder ?? crypto.randomUUID();
  const leaseMs = deps.leaseMs ?? 15 * 60_000;
  const minRows = settings.minRows ?? 200;
  const compute = deps.compute ?? ((job: DriftJob) => computeDriftJob(store, job));
  let running: Promise<TickOutcome> | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;

  const newestId = async () => (await store.predictions.list({ limit: 1 }))[0]?.id ?? 0;

  /** Due when there is no report yet, the interval passed, or enough rows arrived. */
  async function due(at: Date): Promise<boolean> {
    const latest = await store.monitor.history.latest();
    if (!latest) return true;
    const ageMs = at.getTime() - Date.parse(latest.generated_at);
    if (settings.intervalMinutes > 0 && ageMs >= settings.intervalMinutes * 60_000) return true;
    return settings.minNewRows > 0 &&
      (await newestId()) - latest.last_prediction_id >= settings.minNewRows;
  }

  async function run(): Promise<TickOutcome> {
    const at = now();
    if (!(await due(at))) return { status: "not_due" };
    const profile = await deps.profile();
    if (!profile) return { status: "no_reference" };
    const since = new Date(at.getTime() - settings.windowHours * 3_600_000).toISOString();
    // From the minute rollup: its cost follows the window's minutes, not its rows (a COUNT over
    // a million logged rows would hold SQLite's connection, shared with scoring, for ~0.1 s).
    const rows = (await store.rollups.totals({
      fromMinute: Math.floor(Date.parse(since) / 60_000),
      toMinute: Math.floor(at.getTime() / 60_000) + 1,
    })).n;
    if (rows < minRows) return { status: "no_rows", rows };
    const until = new Date(at.getTime() + leaseMs).toISOString();
    if (!(await store.monitor.lease.acquire(LEASE_NAME, holder, at.toISOString(), until))) {
      return { status: "busy" };
    }
    try {
      // Another replica may have finished a report while this one waited.
      if (!(await due(at))) return { status: "not_due" };
      const previous = await store.monitor.history.latest();
      const lastId = await newestId();
      const report = await compute({
        dbPath: store.target,
        profile,
        query: { since, until: at.toISOString(), limit: settings.maxRows ?? 1_000_000 },
        generatedAt: at.toISOString(),
        meta: { cost_matrix: deps.meta.cost_matrix, metrics: deps.meta.metrics },
        chunk: chunkFor(settings.windowHours),
      });
      await store.reports.save({
        generated_at: report.generated_at,
        source: "scheduler",
        report_json: JSON.stringify(report),
      });
      const summary = historySummary(report);
      await store.monitor.history.add({
        generated_at: report.generated_at,
        window_start: report.window.first_ts,
        window_end: report.window.last_ts,
        n_rows: report.window.n_production,
        last_prediction_id: lastId,
        overall_verdict: report.overall_verdict,
        source: "scheduler",
        summary_json: JSON.stringify(summary),
      });
      const intervalMin = Math.max(1, settings.intervalMinutes || 60);
      const requests = await store.requests.totalsByRoute({
        fromMinute: Math.floor(at.getTime() / 60_000) - intervalMin,
      });
      const prevSummary = previous ? JSON.parse(previous.summary_json) : null;
      const alerts = [
        ...report.alerts,
        ...operationalAlerts({
          requests,
          modelVersion: deps.meta.model_version,
          previousModelVersion: mainVersion(prevSummary?.model_versions),
        }),
      ];
      const notified = await notifyAlerts(store.monitor, alerts, {
        now: at,
        channel: deps.channel,
      });
      deps.onReport?.(report, notified);
      return { status: "computed", report, notified };
    } finally {
      await store.monitor.lease.release(LEASE_NAME, holder).catch(() => {});
    }
  }

  const tick = (): Promise<TickOutcome> => {
    if (running) return Promise.resolve({ status: "busy" });
    running = run().catch((error: unknown) => {
      deps.onError?.(error);
      return { status: "error" as const, error };
    }).finally(() => (running = null));
    return running;
  };

  return {
    tick,
    start(checkEveryMs = 60_000) {
      if (timer !== undefined) return;
      void tick();
      timer = setInterval(() => void tick(), checkEveryMs);
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
