/**
 * Two model versions on the same applications: the logged rows one of them
 * answered (`predictions`) and the other scored in the shadow
 * (`shadow_predictions`), in either direction (a challenger shadowing the
 * champion, or the champion shadowing a version that answered before a
 * promotion or after a rollback), with the outcome once fed back.
 *
 * Sized for large logs: {@link ComparisonReads.cells} aggregates in the
 * database (one row per score bin × score bin × decisions × label ×
 * direction, so a few thousand rows whatever the window) and
 * {@link ComparisonReads.labelled} returns at most `limit` rows. A window
 * bounded in time is also bounded in ids through the minute rollup, so the
 * shadow index is walked only over the window's rows.
 *
 * @module
 */
import type { Decision } from "./_records.ts";
import { minuteOf, rollupReads } from "./_rollups.ts";
import type { Sql, SqlValue } from "./_sql.ts";

/** Which rows to pair. */
export interface PairQuery {
  /** The version the comparison is against (usually the serving champion). */
  champion: string;
  /** The version compared with it. */
  challenger: string;
  /** Inclusive lower bound on the logged row's `ts_utc`. */
  since?: string;
  /** Exclusive upper bound on `ts_utc`. */
  until?: string;
}

/** Options for {@link ComparisonReads.cells}. */
export interface PairCellQuery extends PairQuery {
  /** Equal-width score bins on [0, 1] (1…100): bin = ⌊p · bins⌋, 1 counted in the last. */
  bins: number;
  /**
   * Only the `limit` most recent paired rows of each direction (by row id):
   * bounds the time on a large log. Default: every paired row of the window.
   */
  limit?: number;
}

/** Paired rows sharing their bins, decisions, outcome and direction. */
export interface PairCell {
  champion_bin: number;
  challenger_bin: number;
  champion_decision: Decision;
  challenger_decision: Decision;
  /** 1 = defaulted, 0 = repaid, null = no outcome yet. */
  label: 0 | 1 | null;
  /** True when the challenger answered (the champion scored in the shadow). */
  challenger_answered: boolean;
  n: number;
}

/** One paired row with an outcome. */
export interface PairedOutcome {
  champion: number;
  challenger: number;
  champion_decision: Decision;
  challenger_decision: Decision;
  label: 0 | 1;
}

/** Reads of two versions' paired scores. */
export interface ComparisonReads {
  /** Counts of the window's paired rows per cell (empty cells absent). */
  cells(query: PairCellQuery): Promise<PairCell[]>;
  /** The window's `limit` most recent paired rows with an outcome, oldest first. */
  labelled(query: PairQuery & { limit: number }): Promise<PairedOutcome[]>;
}

const LABEL = "CASE o.outcome WHEN 'default' THEN 1 WHEN 'repaid' THEN 0 END";
const JOIN = "o.request_id = p.request_id AND o.client_id = p.client_id";

/** One direction: `answered` answered, `shadow` scored in the shadow. */
interface Direction {
  answered: string;
  shadow: string;
  /** Inclusive id bounds of the window's rows answered by `answered` (from the rollup). */
  ids?: { min: number; max: number };
}

/** The directions of a query that have rows in its window, each bounded in ids. */
async function directions(sql: Sql, q: PairQuery): Promise<(Direction & { flip: boolean })[]> {
  const both = [
    { answered: q.champion, shadow: q.challenger, flip: false },
    { answered: q.challenger, shadow: q.champion, flip: true },
  ];
  if (q.since === undefined && q.until === undefined) return both;
  const rollups = rollupReads(sql);
  const out: (Direction & { flip: boolean })[] = [];
  for (const d of both) {
    const totals = await rollups.totals({
      modelVersion: d.answered,
      fromMinute: q.since === undefined ? undefined : minuteOf(q.since),
      toMinute: q.until === undefined ? undefined : minuteOf(q.until) + 1,
    });
    if (totals.minId !== null && totals.maxId !== null) {
      out.push({ ...d, ids: { min: totals.minId, max: totals.maxId } });
    }
  }
  return out;
}

/**
 * One direction's paired rows as champion (`a_`) and challenger (`b_`)
 * columns, plus `extra` columns of `p` (the logged row) and `o` (its outcome).
 */
function directionSelect(
  d: Direction & { flip: boolean },
  q: PairQuery,
  options: { labelledOnly: boolean; recent?: number },
): { sql: string; params: SqlValue[] } {
  const [a, b] = d.flip ? ["s", "p"] : ["p", "s"];
  const params: SqlValue[] = [d.shadow, d.answered];
  let where = "s.model_version = ? AND p.model_version = ?";
  if (d.ids) {
    where += " AND s.prediction_id >= ? AND s.prediction_id <= ?";
    params.push(d.ids.min, d.ids.max);
  }
  if (q.since !== undefined) where += " AND p.ts_utc >= ?", params.push(q.since);
  if (q.until !== undefined) where += " AND p.ts_utc < ?", params.push(q.until);
  const text = `SELECT s.prediction_id AS id,
      ${a}.proba_default AS a_p, ${a}.decision AS a_d,
      ${b}.proba_default AS b_p, ${b}.decision AS b_d,
      ${LABEL} AS label, ${d.flip ? 1 : 0} AS flipped
    FROM shadow_predictions s JOIN predictions p ON p.id = s.prediction_id
    ${options.labelledOnly ? "JOIN" : "LEFT JOIN"} outcomes o ON ${JOIN}
    WHERE ${where}`;
  if (options.recent === undefined) return { sql: text, params };
  return {
    sql: `SELECT * FROM (${text} ORDER BY s.prediction_id DESC LIMIT ?) d${d.flip ? 1 : 0}`,
    params: [...params, options.recent],
  };
}

type Row = Record<string, number | string | null>;

/** The comparison reads over an executor. */
export function comparisonReads(sql: Sql): ComparisonReads {
  return {
    async cells(q) {
      const bins = Math.trunc(q.bins);
      if (!(bins >= 1 && bins <= 100)) throw new RangeError(`bins must be 1…100, got ${q.bins}`);
      const limit = q.limit === undefined ? undefined : Math.max(0, Math.trunc(q.limit));
      const ds = await directions(sql, q);
      if (ds.length === 0 || limit === 0) return [];
      const arms = ds.map((d) => directionSelect(d, q, { labelledOnly: false, recent: limit }));
      const bin = (col: string) =>
        sql.dialect.least(sql.dialect.integerPart(`${col} * ${bins}`), String(bins - 1));
      // One integer key per cell: SQLite sorts a GROUP BY's rows, and sorting
      // one integer instead of six columns took 1.6 s instead of 5 s on
      // 1,000,000 paired rows (the join itself: 0.4 s).
      const key = `((((${bin("x.a_p")} * ${bins} + ${bin("x.b_p")}) * 2 + x.a_d) * 2 + x.b_d) * 3
        + coalesce(x.label, 2)) * 2 + x.flipped`;
      const rows = await sql.all<Row>(
        `SELECT ${key} AS k, count(*) AS n
         FROM (${arms.map((a) => a.sql).join(" UNION ALL ")}) x GROUP BY 1`,
        arms.flatMap((a) => a.params),
      );
      return rows.map((r) => {
        let k = Number(r.k);
        const take = (m: number) => {
          const v = k % m;
          k = (k - v) / m;
          return v;
        };
        const flipped = take(2);
        const label = take(3);
        const challengerDecision = take(2) as Decision;
        const championDecision = take(2) as Decision;
        const challengerBin = take(bins);
        return {
          champion_bin: k,
          challenger_bin: challengerBin,
          champion_decision: championDecision,
          challenger_decision: challengerDecision,
          label: label === 2 ? null : (label as 0 | 1),
          challenger_answered: flipped === 1,
          n: Number(r.n),
        };
      });
    },
    async labelled(q) {
      const limit = Math.max(0, Math.trunc(q.limit));
      const ds = await directions(sql, q);
      if (ds.length === 0 || limit === 0) return [];
      const arms = ds.map((d) => directionSelect(d, q, { labelledOnly: true, recent: limit }));
      const rows = await sql.all<Row>(
        `SELECT * FROM (${arms.map((a) => a.sql).join(" UNION ALL ")}) x
         ORDER BY id DESC LIMIT ?`,
        [...arms.flatMap((a) => a.params), limit],
      );
      return rows.reverse().map((r) => ({
        champion: Number(r.a_p),
        challenger: Number(r.b_p),
        champion_decision: Number(r.a_d) as Decision,
        challenger_decision: Number(r.b_d) as Decision,
        label: Number(r.label) as 0 | 1,
      }));
    },
  };
}
