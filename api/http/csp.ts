/**
 * The Content-Security-Policy of every HTML page the service serves (the
 * documentation and the monitoring site): scripts, style sheets, images,
 * fonts and requests from this server only, no inline script or style, no
 * plugins; framed only by the frame ancestors (`FRAME_ANCESTORS`, see
 * `frame_ancestors.ts`). Swagger UI and the site's islands run under it
 * without a violation (`docs_browser_test.ts`, `site/browser_test.ts`).
 *
 * @module
 */

/** The policy, in Hono's `secureHeaders` shape. */
export function selfOnlyCsp(frameAncestors: readonly string[]) {
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: [...frameAncestors],
  };
}
