/**
 * A comparison log for the model pages' tests, the browser test and the
 * screenshot task: 40 applications the champion answered and `v2` scored in
 * the shadow, with outcomes for half of them, chosen so every number of the
 * comparison can be worked out by hand.
 *
 * @module
 */
import type { Store } from "../../api/store/mod.ts";

/** The challenger's version in the seeded log. */
export const SEEDED_CHALLENGER = "v2";

/**
 * Logs 40 applications 10 minutes before `now`: the champion scores i/40,
 * the challenger (i + 10)/40 below i = 30, else (i − 30)/40; threshold 0.5,
 * so the champion rejects i ≥ 20 and the challenger 10 ≤ i < 30: each cell
 * of the swap set holds 10. Outcomes for even i, fed back at `now`: default
 * when i % 4 = 0, else repaid.
 */
export async function seedComparison(
  store: Pick<Store, "append" | "outcomes">,
  champion: string,
  now: Date,
): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const a = i / 40;
    const b = i < 30 ? (i + 10) / 40 : (i - 30) / 40;
    await store.append({
      rows: [{
        ts_utc: new Date(now.getTime() - 600_000).toISOString(),
        client_id: "",
        request_id: `cmp-${i}`,
        model_version: champion,
        proba_default: a,
        threshold: 0.5,
        decision: a >= 0.5 ? 1 : 0,
        latency_ms: 1,
        input_json: "{}",
      }],
      shadows: [{
        row: 0,
        model_version: SEEDED_CHALLENGER,
        proba_default: b,
        threshold: 0.5,
        decision: b >= 0.5 ? 1 : 0,
      }],
    });
    if (i % 2 === 0) {
      const r = await store.outcomes.record({
        request_id: `cmp-${i}`,
        outcome: i % 4 === 0 ? "default" : "repaid",
        observed_at: now.toISOString(),
      }, now);
      if (r.status !== "recorded") throw new Error(`outcome of cmp-${i}: ${r.status}`);
    }
  }
}
