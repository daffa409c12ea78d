/**
 * The viewer of the page being rendered (see `site_env.ts`), carried down the
 * tree by a Preact context: forms add their CSRF field from it, the layout
 * its sign-out button.
 *
 * @module
 */
import { createContext, type JSX } from "preact";
import { useContext } from "preact/hooks";
import type { Viewer } from "../site_env.ts";

/** Name of the hidden form field holding the CSRF token. */
export const CSRF_FIELD = "_csrf";

/** The viewer of the current render; `null` before the access check (login and error pages). */
export const ViewerContext = createContext<Viewer | null>(null);

/** The viewer of the current render. */
export function useViewer(): Viewer | null {
  return useContext(ViewerContext);
}

/**
 * The hidden CSRF field of a form (session-cookie viewers only: requests
 * authenticated by a header or in open mode cannot be forged by another site).
 */
export function CsrfField(): JSX.Element | null {
  const token = useViewer()?.csrfToken;
  return token ? <input type="hidden" name={CSRF_FIELD} value={token} /> : null;
}
