/**
 * The `outcomes` table: what happened to each scored application (defaulted
 * or repaid), fed back by the lender, one per logged prediction (a client's
 * request id; batch items have their own ids); and the labelled predictions
 * that performance monitoring reads.
 *
 * A client records outcomes of its own predictions only: another client's
 * request ids are unknown to it, and nothing another client recorded shows in
 * its answers. An admin (no client given) may record for any client's
 * prediction, as long as the request id names exactly one.
 *
 * @module
 */
import type { Decision } from "./_records.ts";
import type { Sql } from "./_sql.ts";
import { versionRowsSelect } from "./_version_rows.ts";

/** A realised outcome. */
export type Outcome = "default" | "repaid";

/** One outcome as recorded. */
export interface OutcomeRecord {
  request_id: string;
  /** The client whose prediction it is ('' in open mode). */
  client_id: string;
  outcome: Outcome;
  /** When the outcome was observed (ISO 8601 UTC). */
  observed_at: string;
  /** When the service recorded it (ISO 8601 UTC). */
  recorded_at: string;
}

/** What to record; without `client_id` (an admin) the request id may be any client's. */
export interface OutcomeInput {
  request_id: string;
  client_id?: string;
  outcome: Outcome;
  observed_at: string;
}

/**
 * What recording did: `recorded` (new), `unchanged` (the same outcome was
 * already there: idempotent repeat), `conflict` (a different outcome is
 * already recorded; it is kept), `unknown_request` (no such prediction for
 * this client), `ambiguous` (an admin named a request id that several
 * clients used), `before_prediction` (observed before the application was
 * scored).
 */
export type RecordResult =
  | { status: "recorded" | "unchanged" | "conflict"; record: OutcomeRecord }
  | { status: "unknown_request" }
  | { status: "ambiguous"; clients: number }
  | { status: "before_prediction"; predicted_at: string };

/** A prediction with its outcome, if known (1 = default, 0 = repaid). */
export interface LabelledPrediction {
  proba: number;
  decision: Decision;
  label: 0 | 1 | null;
}

/** Which predictions to read for performance monitoring. */
export interface OutcomeQuery {
  /** Inclusive lower bound on the prediction's `ts_utc`. */
  since?: string;
  /** Exclusive upper bound on the prediction's `ts_utc`. */
  until?: string;
  /** The most recent `limit` predictions of the window (memory bound). */
  limit: number;
  /**
   * Only the rows this model version scored, answered or in the shadow (with
   * its own score and decision); "most recent" then goes by row id.
   */
  modelVersion?: string;
}

/** Which labelled predictions to read. */
export interface LabelledQuery extends OutcomeQuery {
  /**
   * Look at most this many of the window's most recent predictions for
   * outcomes (bounds the time on a large log with few outcomes).
   */
  scanRows: number;
}

/** Outcomes: recording them, and reading predictions with their labels. */
export interface OutcomeStore {
  /**
   * Records an outcome, once. Timestamps must be normalised ISO 8601 UTC
   * (`Date#toISOString`) so they compare as text.
   */
  record(input: OutcomeInput, now: Date): Promise<RecordResult>;
  /**
   * The most recent predictions of a window (by `ts_utc`, then id) with their
   * outcomes (null when not fed back yet), oldest first.
   */
  labelled(query: OutcomeQuery): Promise<LabelledPrediction[]>;
  /**
   * The most recent predictions of a window that have an outcome, oldest
   * first: at most `limit` of them, among the window's `scanRows` most recent
   * predictions.
   */
  labelledOnly(query: LabelledQuery): Promise<LabelledPrediction[]>;
}

const LABEL = "CASE o.outcome WHEN 'default' THEN 1 WHEN 'repaid' THEN 0 END";
const JOIN = "o.request_id = p.request_id AND o.client_id = p.client_id";

function windowSql(q: OutcomeQuery): { sql: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  if (q.since !== undefined) parts.push("p.ts_utc >= ?"), params.push(q.since);
  if (q.until !== undefined) parts.push("p.ts_utc < ?"), params.push(q.until);
  return { sql: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

const typed = (r: LabelledPrediction): LabelledPrediction => ({
  proba: Number(r.proba),
  decision: Number(r.decision) as Decision,
  label: r.label === null ? null : (Number(r.label) as 0 | 1),
});

const SCORE_COLUMNS = [
  "id",
  "ts_utc",
  "client_id",
  "request_id",
  "proba_default",
  "decision",
] as const;

/**
 * The most recent `n` rows of a version's window (by id, newest first), as a
 * derived table `p` with the score columns.
 */
function recentVersionRows(q: OutcomeQuery & { modelVersion: string }, n: number) {
  const v = versionRowsSelect(q, SCORE_COLUMNS, n);
  return {
    sql: `(SELECT * FROM (${v.sql}) v ORDER BY id DESC LIMIT ?) p`,
    params: [...v.params, n],
  };
}

/** {@link OutcomeStore.labelled} and {@link OutcomeStore.labelledOnly} of one version. */
async function versionLabelled(
  sql: Sql,
  q: OutcomeQuery & { modelVersion: string },
  scanRows: number | undefined,
): Promise<LabelledPrediction[]> {
  const p = recentVersionRows(q, scanRows ?? q.limit);
  const rows = await sql.all<LabelledPrediction>(
    `SELECT p.proba_default AS proba, p.decision AS decision, ${LABEL} AS label
       FROM ${p.sql} ${scanRows === undefined ? "LEFT JOIN" : "JOIN"} outcomes o ON ${JOIN}
      ORDER BY p.id DESC LIMIT ?`,
    [...p.params, q.limit],
  );
  return rows.map(typed).reverse();
}

/** The outcome store over an executor. */
export function outcomeStore(sql: Sql): OutcomeStore {
  return {
    record(input, now) {
      return sql.transaction(async (tx): Promise<RecordResult> => {
        const scored = await tx.all<{ client_id: string; ts: string }>(
          `SELECT client_id, min(ts_utc) AS ts FROM predictions
            WHERE request_id = ?${input.client_id === undefined ? "" : " AND client_id = ?"}
            GROUP BY client_id`,
          input.client_id === undefined ? [input.request_id] : [input.request_id, input.client_id],
        );
        if (scored.length === 0) return { status: "unknown_request" };
        if (scored.length > 1) return { status: "ambiguous", clients: scored.length };
        const clientId = scored[0].client_id;
        const recorded = async (): Promise<RecordResult | undefined> => {
          const before = await tx.get<OutcomeRecord>(
            `SELECT request_id, client_id, outcome, observed_at, recorded_at FROM outcomes
              WHERE request_id = ? AND client_id = ?`,
            [input.request_id, clientId],
          );
          if (!before) return undefined;
          const same = before.outcome === input.outcome && before.observed_at === input.observed_at;
          return { status: same ? "unchanged" : "conflict", record: { ...before } };
        };
        const already = await recorded();
        if (already) return already;
        if (input.observed_at < scored[0].ts) {
          return { status: "before_prediction", predicted_at: scored[0].ts };
        }
        const record: OutcomeRecord = {
          request_id: input.request_id,
          client_id: clientId,
          outcome: input.outcome,
          observed_at: input.observed_at,
          recorded_at: now.toISOString(),
        };
        // Another replica (PostgreSQL) may record the same outcome meanwhile:
        // the first insert wins, this one then reads what it wrote.
        const inserted = await tx.run(
          `INSERT INTO outcomes (request_id, client_id, outcome, observed_at, recorded_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id, client_id) DO NOTHING`,
          [
            record.request_id,
            record.client_id,
            record.outcome,
            record.observed_at,
            record.recorded_at,
          ],
        );
        if (inserted === 0) return (await recorded()) ?? { status: "unknown_request" };
        return { status: "recorded", record };
      });
    },
    // Ordered by `ts_utc` so the database walks the `predictions_ts` index
    // backwards and stops after `limit` rows; ordering by id instead made
    // SQLite join and sort the whole window first (1.7 s for 2,000 rows of a
    // 1,000,000-row log).
    async labelled(query) {
      if (query.modelVersion !== undefined) {
        return versionLabelled(sql, { ...query, modelVersion: query.modelVersion }, undefined);
      }
      const w = windowSql(query);
      const rows = await sql.all<LabelledPrediction>(
        `SELECT p.proba_default AS proba, p.decision AS decision, ${LABEL} AS label
           FROM predictions p LEFT JOIN outcomes o ON ${JOIN}
           ${w.sql}
          ORDER BY p.ts_utc DESC, p.id DESC LIMIT ?`,
        [...w.params, query.limit],
      );
      return rows.map(typed).reverse();
    },
    async labelledOnly(query) {
      if (query.modelVersion !== undefined) {
        const version = { ...query, modelVersion: query.modelVersion };
        return versionLabelled(sql, version, query.scanRows);
      }
      const w = windowSql(query);
      const rows = await sql.all<LabelledPrediction>(
        `SELECT p.proba_default AS proba, p.decision AS decision, ${LABEL} AS label
           FROM (SELECT id, ts_utc, client_id, request_id, proba_default, decision
                   FROM predictions p ${w.sql}
                  ORDER BY ts_utc DESC, id DESC LIMIT ?) p
           JOIN outcomes o ON ${JOIN}
          ORDER BY p.ts_utc DESC, p.id DESC LIMIT ?`,
        [...w.params, query.scanRows, query.limit],
      );
      return rows.map(typed).reverse();
    },
  };
}
