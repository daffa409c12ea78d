/**
 * What monitoring automation keeps in the audit database (shared migration
 * 6), written once for both backends:
 *
 * - `drift_history`: one compact summary per scheduled (or cron) report —
 *   the drift over time the site charts — pruned to {@link KEEP_HISTORY};
 * - `monitor_leases`: a named lease with an expiry, so that of several
 *   replicas only one computes a scheduled report (an upsert that takes the
 *   lease only when it is free, expired or already ours: `ON CONFLICT … DO
 *   UPDATE … WHERE`, whose changed-row count says who won, on SQLite and
 *   PostgreSQL alike);
 * - `alert_state`: every alert ever raised, by key, with when it was first
 *   and last seen, when it cleared, and whether its "firing" and "resolved"
 *   messages were sent. Sending is claimed with a conditional UPDATE, so the
 *   service and `deno task drift --notify` never send the same message twice;
 * - `alert_deliveries`: every webhook attempt (status, error), for the site.
 *
 * @module
 */
import type { Sql } from "./_sql.ts";

/** History rows kept (a year of hourly reports). */
export const KEEP_HISTORY = 9000;
/** Delivery rows kept. */
export const KEEP_DELIVERIES = 2000;

/** One report in the history. */
export interface DriftHistoryEntry {
  generated_at: string;
  window_start: string | null;
  window_end: string | null;
  n_rows: number;
  /** Highest prediction id the report covered ("enough new rows since" checks). */
  last_prediction_id: number;
  overall_verdict: string;
  /** Who computed it: `scheduler`, `cron`, `site`. */
  source: string;
  /** Compact JSON summary (PSI per feature, score PSI, reject rate, …). */
  summary_json: string;
}

/** A stored history entry. */
export interface StoredHistoryEntry extends DriftHistoryEntry {
  id: number;
}

/** The state of one alert (see the module doc). */
export interface AlertStateRow {
  /** `kind` or `kind:feature`. */
  alert_key: string;
  kind: string;
  feature: string | null;
  severity: string;
  message: string;
  first_seen: string;
  last_seen: string;
  /** Set when the alert cleared; null while it is active. */
  resolved_at: string | null;
  fired_sent_at: string | null;
  resolved_sent_at: string | null;
}

/** One webhook attempt. */
export interface AlertDelivery {
  ts_utc: string;
  alert_key: string;
  event: "firing" | "resolved";
  /** Where it went: the webhook's host (never its secret path). */
  target: string;
  attempt: number;
  /** HTTP status, null when no answer came. */
  status: number | null;
  ok: boolean;
  error: string | null;
  /** `service` or `cron`. */
  sender: string;
}

/** Monitoring automation's tables. */
export interface MonitorStore {
  history: {
    add(entry: DriftHistoryEntry): Promise<number>;
    /** Entries generated at or after `since`, oldest first, at most `limit` (the most recent). */
    list(query?: { since?: string; limit?: number }): Promise<StoredHistoryEntry[]>;
    latest(): Promise<StoredHistoryEntry | undefined>;
  };
  lease: {
    /** Takes or renews the lease until `until` when it is free, expired at `now`, or ours. */
    acquire(name: string, holder: string, now: string, until: string): Promise<boolean>;
    release(name: string, holder: string): Promise<void>;
  };
  alerts: {
    /** Every alert's state, active ones first. */
    all(): Promise<AlertStateRow[]>;
    /**
     * Inserts or updates rows, in one transaction. The sent-at columns of a
     * stored row are kept (they are claims), except that an alert firing
     * again after it resolved starts unsent.
     */
    save(rows: readonly AlertStateRow[]): Promise<void>;
    /**
     * Claims the sending of an alert's "firing" (or "resolved") message: true
     * for exactly one caller while the message is unsent and the state fits.
     */
    claim(key: string, event: "firing" | "resolved", at: string): Promise<boolean>;
    /** Gives a claim back (every attempt failed): a later run sends again. */
    unclaim(key: string, event: "firing" | "resolved"): Promise<void>;
  };
  deliveries: {
    record(d: AlertDelivery): Promise<void>;
    /** Most recent first. */
    recent(limit: number): Promise<(AlertDelivery & { id: number })[]>;
  };
}

const ALERT_COLUMNS = [
  "alert_key",
  "kind",
  "feature",
  "severity",
  "message",
  "first_seen",
  "last_seen",
  "resolved_at",
  "fired_sent_at",
  "resolved_sent_at",
] as const;

/** The monitoring tables over an executor. */
export function monitorStore(sql: Sql): MonitorStore {
  // The sent-at columns are the claims: a save never undoes another sender's
  // claim, it only clears them when a resolved alert fires again.
  const refired = "alert_state.resolved_at IS NOT NULL AND excluded.resolved_at IS NULL";
  const upsertAlert = `INSERT INTO alert_state (${ALERT_COLUMNS.join(", ")})
    VALUES (${ALERT_COLUMNS.map(() => "?").join(", ")})
    ON CONFLICT (alert_key) DO UPDATE SET ${
    ALERT_COLUMNS.slice(1, -2).map((c) => `${c} = excluded.${c}`).join(", ")
  }, ${
    ["fired_sent_at", "resolved_sent_at"].map((c) =>
      `${c} = CASE WHEN ${refired} THEN NULL ELSE alert_state.${c} END`
    ).join(", ")
  }`;
  return {
    history: {
      add(e) {
        return sql.transaction(async (tx) => {
          const row = await tx.get<{ id: number }>(
            `INSERT INTO drift_history (generated_at, window_start, window_end, n_rows,
               last_prediction_id, overall_verdict, source, summary_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
            [
              e.generated_at,
              e.window_start,
              e.window_end,
              e.n_rows,
              e.last_prediction_id,
              e.overall_verdict,
              e.source,
              e.summary_json,
            ],
          );
          const id = Number(row!.id);
          await tx.run("DELETE FROM drift_history WHERE id <= ?", [id - KEEP_HISTORY]);
          return id;
        });
      },
      async list(query = {}) {
        const rows = await sql.all<StoredHistoryEntry>(
          `SELECT * FROM (SELECT * FROM drift_history WHERE generated_at >= ?
             ORDER BY generated_at DESC, id DESC LIMIT ?) h ORDER BY generated_at, id`,
          [query.since ?? "", query.limit ?? KEEP_HISTORY],
        );
        return rows.map(typedHistory);
      },
      async latest() {
        const row = await sql.get<StoredHistoryEntry>(
          "SELECT * FROM drift_history ORDER BY generated_at DESC, id DESC LIMIT 1",
        );
        return row && typedHistory(row);
      },
    },
    lease: {
      async acquire(name, holder, now, until) {
        const changed = await sql.run(
          `INSERT INTO monitor_leases (name, holder, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
             expires_at = excluded.expires_at
           WHERE monitor_leases.holder = excluded.holder OR monitor_leases.expires_at <= ?`,
          [name, holder, until, now],
        );
        return changed === 1;
      },
      async release(name, holder) {
        await sql.run("DELETE FROM monitor_leases WHERE name = ? AND holder = ?", [name, holder]);
      },
    },
    alerts: {
      async all() {
        const rows = await sql.all<AlertStateRow>(
          `SELECT ${ALERT_COLUMNS.join(", ")} FROM alert_state
           ORDER BY resolved_at IS NOT NULL, last_seen DESC, alert_key`,
        );
        return rows;
      },
      async save(rows) {
        if (rows.length === 0) return;
        await sql.transaction(async (tx) => {
          for (const r of rows) await tx.run(upsertAlert, ALERT_COLUMNS.map((c) => r[c]));
        });
      },
      async claim(key, event, at) {
        const changed = event === "firing"
          ? await sql.run(
            `UPDATE alert_state SET fired_sent_at = ?
             WHERE alert_key = ? AND fired_sent_at IS NULL AND resolved_at IS NULL`,
            [at, key],
          )
          : await sql.run(
            `UPDATE alert_state SET resolved_sent_at = ?
             WHERE alert_key = ? AND resolved_sent_at IS NULL AND resolved_at IS NOT NULL
               AND fired_sent_at IS NOT NULL`,
            [at, key],
          );
        return changed === 1;
      },
      async unclaim(key, event) {
        await sql.run(
          `UPDATE alert_state SET ${
            event === "firing" ? "fired_sent_at" : "resolved_sent_at"
          } = NULL WHERE alert_key = ?`,
          [key],
        );
      },
    },
    deliveries: {
      record(d) {
        return sql.transaction(async (tx) => {
          const row = await tx.get<{ id: number }>(
            `INSERT INTO alert_deliveries (ts_utc, alert_key, event, target, attempt, status, ok,
               error, sender) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
            [
              d.ts_utc,
              d.alert_key,
              d.event,
              d.target,
              d.attempt,
              d.status,
              d.ok ? 1 : 0,
              d.error,
              d.sender,
            ],
          );
          await tx.run("DELETE FROM alert_deliveries WHERE id <= ?", [
            Number(row!.id) - KEEP_DELIVERIES,
          ]);
        });
      },
      async recent(limit) {
        const rows = await sql.all<AlertDelivery & { id: number; ok: number | boolean }>(
          `SELECT id, ts_utc, alert_key, event, target, attempt, status, ok, error, sender
           FROM alert_deliveries ORDER BY id DESC LIMIT ?`,
          [limit],
        );
        return rows.map((r) => ({
          ...r,
          id: Number(r.id),
          attempt: Number(r.attempt),
          status: r.status === null ? null : Number(r.status),
          ok: Boolean(Number(r.ok)),
        }));
      },
    },
  };
}

function typedHistory(r: StoredHistoryEntry): StoredHistoryEntry {
  return {
    ...r,
    id: Number(r.id),
    n_rows: Number(r.n_rows),
    last_prediction_id: Number(r.last_prediction_id),
  };
}
