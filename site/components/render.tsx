/**
 * Renders a page to an HTML response (`preact-render-to-string`), with a
 * fresh island registry per request and the request's viewer in context.
 *
 * @module
 */
import type { Context } from "hono";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { SiteEnv } from "../site_env.ts";
import { createIslandRegistry, IslandContext } from "./island.tsx";
import { ViewerContext } from "./viewer.tsx";

/** The page as a `text/html` response. */
export function renderPage(c: Context<SiteEnv>, page: VNode, status = 200): Response {
  const registry = createIslandRegistry();
  const html = renderToString(
    <ViewerContext.Provider value={c.get("viewer") ?? null}>
      <IslandContext.Provider value={registry}>{page}</IslandContext.Provider>
    </ViewerContext.Provider>,
  );
  return c.html(`<!DOCTYPE html>${html}`, status as 200);
}
