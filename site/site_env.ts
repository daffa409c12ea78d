/**
 * The site's Hono environment: the app's request variables plus the viewer,
 * set by the site's access middleware and read when a page renders.
 *
 * @module
 */
import type { AppVariables } from "../api/http/env.ts";

/** Who is looking at a page, as far as rendering cares. */
export interface Viewer {
  /**
   * How the request was let in: open mode, an API key (`Authorization`
   * header), or the site's session cookie.
   */
  via: "open" | "key" | "session";
  /** The CSRF token forms must carry: only for session-cookie requests. */
  csrfToken: string | null;
  /** Non-secret id of the signed-in key; null in open mode. */
  keyId: string | null;
}

/** Request variables of the site. */
export interface SiteVariables extends AppVariables {
  /** Set once the request passed the access check. */
  viewer?: Viewer;
}

/** Hono env type of the site. */
export interface SiteEnv {
  Variables: SiteVariables;
}
