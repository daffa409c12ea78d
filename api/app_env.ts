/**
 * The Hono environment shared by every route: per-request variables set by
 * the app's middleware.
 *
 * @module
 */
import type { RequestIdVariables } from "hono/request-id";

/** Variables every handler can read with `c.get(...)`. */
export interface AppVariables extends RequestIdVariables {
  /** `performance.now()` when the request entered the app. */
  startedAt: number;
}

/** Hono env type of the app. */
export interface AppEnv {
  Variables: AppVariables;
}
