/**
 * Resolves the page's window against the site's clock and data: "all" starts
 * at the oldest minute holding predictions or request statistics (two index
 * lookups).
 *
 * @module
 */
import { minuteOf } from "../../api/store/mod.ts";
import type { SiteContext } from "../context.ts";
import { type WindowRange, windowRange, type WindowSpec } from "./window.ts";

/** The window at the site's current time. */
export async function resolveWindow(
  ctx: Pick<SiteContext, "now" | "store">,
  spec: WindowSpec,
): Promise<WindowRange> {
  const now = ctx.now();
  if (spec.minutes !== null) return windowRange(spec, now);
  const [span, firstRequest] = await Promise.all([
    ctx.store.rollups.minuteSpan(),
    ctx.store.requests.firstMinute(),
  ]);
  const firsts = [span?.firstMinute, firstRequest ?? undefined]
    .filter((m): m is number => m !== undefined);
  return windowRange(spec, now, firsts.length ? Math.min(...firsts) : minuteOf(now));
}
