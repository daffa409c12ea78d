/**
 * Resolves the page's window against the site's clock and data: "all" starts
 * at the oldest minute holding predictions or request statistics (two index
 * lookups).
 *
 * @module
 */
import { minuteOf, predictionMinuteSpan } from "../../api/store/prediction_rollups.ts";
import { firstRequestMinute } from "../../api/store/request_minutes.ts";
import type { SiteContext } from "../context.ts";
import { type WindowRange, windowRange, type WindowSpec } from "./window.ts";

/** The window at the site's current time. */
export function resolveWindow(
  ctx: Pick<SiteContext, "now" | "store">,
  spec: WindowSpec,
): WindowRange {
  const now = ctx.now();
  if (spec.minutes !== null) return windowRange(spec, now);
  const db = ctx.store.db;
  const firsts = [predictionMinuteSpan(db)?.firstMinute, firstRequestMinute(db) ?? undefined]
    .filter((m): m is number => m !== undefined);
  return windowRange(spec, now, firsts.length ? Math.min(...firsts) : minuteOf(now));
}
