/**
 * The Hono environment shared by every route: per-request variables set by
 * the app's middleware.
 *
 * @module
 */
import type { RequestIdVariables } from "hono/request-id";
import type { KeyIdentity } from "../auth/api_keys.ts";

/** Variables every handler can read with `c.get(...)`. */
export interface AppVariables extends RequestIdVariables {
  /** `performance.now()` when the request entered the app. */
  startedAt: number;
  /** The authenticated key, when keys are configured and one was presented. */
  identity?: KeyIdentity;
  /** How the request was let in: open mode, an API key, or a site session. */
  authVia?: "open" | "key" | "session";
  /** The site session token, when the request came with one. */
  sessionToken?: string;
}

/** Hono env type of the app. */
export interface AppEnv {
  Variables: AppVariables;
}
