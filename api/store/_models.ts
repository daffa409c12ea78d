/**
 * The model lifecycle's state (shared migration 7), written once for both
 * backends: which version is the champion, which one it replaced (for a
 * rollback) and which versions score in the shadow — one row, shared by every
 * replica — and `model_changes`, the audit of every change (when, which key,
 * from, to, why).
 *
 * A change is a compare-and-set on the state's `revision`, in one
 * transaction with its audit row: of two replicas changing the same state,
 * one wins and the other is told (and re-reads). Replicas poll
 * {@link ModelStore.state} (one primary-key read) and swap when the revision
 * moved.
 *
 * @module
 */
import type { Sql } from "./_sql.ts";

/** Who serves: the champion, its predecessor and the shadows, at a revision. */
export interface ModelState {
  /** Increases by one with every change (1 for the first). */
  revision: number;
  champion: string;
  /** The champion before the last promote or rollback (what a rollback returns to). */
  previous: string | null;
  shadows: string[];
  updated_at: string;
}

/** One change of roles, as `model_changes` keeps it. */
export interface ModelChangeRow {
  at: string;
  key_id: string;
  action: "promote" | "rollback" | "shadow_on" | "shadow_off";
  from_version: string | null;
  to_version: string | null;
  reason: string;
}

/** The lifecycle's tables. */
export interface ModelStore {
  /** The shared state, or null before the first change. */
  state(): Promise<ModelState | null>;
  /**
   * Sets the state to `next` and logs `change`, in one transaction, if the
   * stored revision is still `expected` (0: no state yet). False when another
   * writer changed it first (nothing written).
   */
  change(
    expected: number,
    next: Pick<ModelState, "champion" | "previous" | "shadows">,
    change: ModelChangeRow,
  ): Promise<boolean>;
  /** The latest changes, newest first. */
  changes(limit: number): Promise<ModelChangeRow[]>;
  /** Rows scored per version: as champion (predictions) plus as shadow (shadow_predictions). */
  rowsScored(): Promise<Map<string, number>>;
}

interface StateRow {
  revision: number | string;
  champion: string;
  previous: string | null;
  shadows_json: string;
  updated_at: string;
}

/** The lifecycle's tables over an executor. */
export function modelStore(sql: Sql): ModelStore {
  return {
    async state() {
      const row = await sql.get<StateRow>(
        "SELECT revision, champion, previous, shadows_json, updated_at FROM model_state WHERE id = 1",
      );
      if (!row) return null;
      return {
        revision: Number(row.revision),
        champion: row.champion,
        previous: row.previous,
        shadows: JSON.parse(row.shadows_json) as string[],
        updated_at: row.updated_at,
      };
    },
    change(expected, next, change) {
      return sql.transaction(async (tx) => {
        const shadows = JSON.stringify(next.shadows);
        const changed = expected === 0
          ? await tx.run(
            `INSERT INTO model_state (id, revision, champion, previous, shadows_json, updated_at)
             VALUES (1, 1, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
            [next.champion, next.previous, shadows, change.at],
          )
          : await tx.run(
            `UPDATE model_state SET revision = revision + 1, champion = ?, previous = ?,
               shadows_json = ?, updated_at = ? WHERE id = 1 AND revision = ?`,
            [next.champion, next.previous, shadows, change.at, expected],
          );
        if (changed !== 1) return false;
        await tx.run(
          `INSERT INTO model_changes (at, key_id, action, from_version, to_version, reason)
           VALUES (?, ?, ?, ?, ?, ?)`,
          [
            change.at,
            change.key_id,
            change.action,
            change.from_version,
            change.to_version,
            change.reason,
          ],
        );
        return true;
      });
    },
    async changes(limit) {
      const rows = await sql.all<ModelChangeRow>(
        `SELECT at, key_id, action, from_version, to_version, reason FROM model_changes
         ORDER BY id DESC LIMIT ?`,
        [limit],
      );
      return rows.map((r) => ({
        at: r.at,
        key_id: r.key_id,
        action: r.action,
        from_version: r.from_version,
        to_version: r.to_version,
        reason: r.reason,
      }));
    },
    async rowsScored() {
      // The champion rows from the per-minute rollup (a small table); shadow
      // rows counted on their (model_version, prediction_id) index.
      const rows = await sql.all<{ model_version: string; n: number | string }>(
        `SELECT model_version, sum(n) AS n FROM (
           SELECT model_version, sum(n) AS n FROM prediction_minutes GROUP BY model_version
           UNION ALL
           SELECT model_version, count(*) AS n FROM shadow_predictions GROUP BY model_version
         ) t GROUP BY model_version`,
      );
      return new Map(rows.map((r) => [r.model_version, Number(r.n)]));
    },
  };
}
