/**
 * Renders a page to an HTML response (`preact-render-to-string`), with a
 * fresh island registry per request.
 *
 * @module
 */
import type { Context } from "hono";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { createIslandRegistry, IslandContext } from "./island.tsx";

/** The page as a `text/html` response. */
export function renderPage(c: Context, page: VNode, status = 200): Response {
  const registry = createIslandRegistry();
  const html = renderToString(
    <IslandContext.Provider value={registry}>{page}</IslandContext.Provider>,
  );
  return c.html(`<!DOCTYPE html>${html}`, status as 200);
}
