/**
 * Reading the `predictions` table back: streaming a window (drift), counts,
 * lookups by request id (feedback, erasure), and keyset pages for the site's
 * log browser (newest first, so page N costs the same as page 1; the caller
 * bounds the id range with the window's `min_id`/`max_id` from the minute
 * rollup, so a time-window filter never walks rows outside the window).
 *
 * @module
 */
import { PREDICTION_COLUMNS, type StoredPrediction } from "./_records.ts";
import { type Sql, where } from "./_sql.ts";
import { versionRowsSelect } from "./_version_rows.ts";

/** Which predictions to read. */
export interface PredictionQuery {
  /** Inclusive lower bound on `ts_utc` (ISO 8601). */
  since?: string;
  /** Exclusive upper bound on `ts_utc` (ISO 8601). */
  until?: string;
  /** Only the most recent `limit` rows of the window. */
  limit?: number;
  /**
   * Only the rows this model version scored: those it answered, and those it
   * scored in the shadow (then with its own score, threshold, decision and
   * reasons, and `model_version` naming it). See `_version_rows.ts`.
   */
  modelVersion?: string;
}

/** A logged row without its (possibly large) `input_json`. */
export type PredictionSummary = Omit<StoredPrediction, "input_json">;

/** One page of the log browser. */
export interface PredictionPageQuery {
  /** Rows on the page (1…500). */
  limit: number;
  /** Only ids below this (the next, older page). */
  beforeId?: number;
  /** Only ids above this (the previous, newer page). */
  afterId?: number;
  /** Inclusive id bounds (e.g. from the minute rollup of a window). */
  minId?: number;
  maxId?: number;
  decision?: 0 | 1;
  modelVersion?: string;
  /** Inclusive lower bound on `ts_utc` (ISO 8601). */
  since?: string;
}

/** Reads of logged predictions. */
export interface PredictionReads {
  /**
   * Streams the predictions of a window, oldest first, a page at a time
   * (memory stays bounded whatever the window). With `limit`, the most recent
   * `limit` rows of the window.
   */
  pages(query?: PredictionQuery, pageRows?: number): AsyncIterable<StoredPrediction[]>;
  /** How many rows {@link pages} returns for `query`. */
  count(query?: PredictionQuery): Promise<number>;
  /** The rows logged under one request id, by every client or by `clientId`'s only. */
  findByRequestId(requestId: string, clientId?: string): Promise<StoredPrediction[]>;
  /** One page of rows, newest first (with `afterId`: the rows just above it). */
  list(query: PredictionPageQuery): Promise<PredictionSummary[]>;
  /** One row by id, with its features and stored reason codes. */
  get(id: number): Promise<StoredPrediction | undefined>;
}

const ALL = `id, ${PREDICTION_COLUMNS.join(", ")}`;
const SUMMARY = ALL.replace(", input_json", "");

function windowWhere(q: PredictionQuery) {
  return where(["ts_utc >= ?", q.since], ["ts_utc < ?", q.until]);
}

/** Row values come back typed by the driver; ids and decisions are numbers on both backends. */
function typed<T extends { id: number; decision: number }>(row: T): T {
  row.id = Number(row.id);
  row.decision = Number(row.decision);
  return row;
}

/** The rows a version scored (see {@link PredictionQuery.modelVersion}), oldest first. */
async function* versionPages(
  sql: Sql,
  query: PredictionQuery & { modelVersion: string },
  pageRows: number,
): AsyncIterable<StoredPrediction[]> {
  const columns = ["id", ...PREDICTION_COLUMNS] as const;
  const v = versionRowsSelect(query, columns, query.limit);
  // Without a limit the compound SELECT is ordered as a whole: SQLite merges
  // its two halves, each read in id order from its index.
  const text = query.limit === undefined
    ? `${v.sql} ORDER BY id`
    : `SELECT * FROM (SELECT * FROM (${v.sql}) v ORDER BY id DESC LIMIT ?) w ORDER BY id`;
  const params = query.limit === undefined ? v.params : [...v.params, query.limit];
  for await (const page of sql.pages<StoredPrediction>(text, params, pageRows)) {
    yield page.map(typed);
  }
}

/** The prediction reads over an executor. */
export function predictionReads(sql: Sql): PredictionReads {
  return {
    async *pages(query = {}, pageRows = 5000) {
      if (query.modelVersion !== undefined) {
        yield* versionPages(sql, { ...query, modelVersion: query.modelVersion }, pageRows);
        return;
      }
      const w = windowWhere(query);
      const text = query.limit === undefined
        ? `SELECT ${ALL} FROM predictions ${w.sql} ORDER BY id`
        : `SELECT * FROM (SELECT ${ALL} FROM predictions ${w.sql} ORDER BY id DESC LIMIT ?) p
           ORDER BY id`;
      const params = query.limit === undefined ? w.params : [...w.params, query.limit];
      for await (const page of sql.pages<StoredPrediction>(text, params, pageRows)) {
        yield page.map(typed);
      }
    },
    async count(query = {}) {
      const from = query.modelVersion === undefined
        ? { sql: `predictions ${windowWhere(query).sql}`, params: windowWhere(query).params }
        : versionRowsSelect({ ...query, modelVersion: query.modelVersion }, ["id"]);
      const text = query.modelVersion === undefined ? from.sql : `(${from.sql}) v`;
      const row = await sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${text}`, from.params);
      const n = Number(row?.n ?? 0);
      return query.limit === undefined ? n : Math.min(n, query.limit);
    },
    async findByRequestId(requestId, clientId) {
      const w = where(["request_id = ?", requestId], ["client_id = ?", clientId]);
      const rows = await sql.all<StoredPrediction>(
        `SELECT ${ALL} FROM predictions ${w.sql} ORDER BY id`,
        w.params,
      );
      return rows.map(typed);
    },
    async list(query) {
      const limit = Math.min(500, Math.max(1, Math.trunc(query.limit)));
      const w = where(
        ["id < ?", query.beforeId],
        ["id > ?", query.afterId],
        ["id >= ?", query.minId],
        ["id <= ?", query.maxId],
        ["decision = ?", query.decision],
        ["model_version = ?", query.modelVersion],
        ["ts_utc >= ?", query.since],
      );
      const ascending = query.afterId !== undefined && query.beforeId === undefined;
      const rows = await sql.all<PredictionSummary>(
        `SELECT ${SUMMARY} FROM predictions ${w.sql}
         ORDER BY id ${ascending ? "ASC" : "DESC"} LIMIT ?`,
        [...w.params, limit],
      );
      const typedRows = rows.map(typed);
      return ascending ? typedRows.reverse() : typedRows;
    },
    async get(id) {
      const row = await sql.get<StoredPrediction>(
        `SELECT ${ALL} FROM predictions WHERE id = ?`,
        [id],
      );
      return row && typed(row);
    },
  };
}
