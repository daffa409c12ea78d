/**
 * What an operator may ask of the serving models (the admin API, the site's
 * model pages and SIGHUP all go through it): which versions are loaded and in
 * which role, the change history, promote, roll back, shadow on and off, and
 * rescanning the registry. The lifecycle in `api/model_lifecycle.ts`
 * implements it; the site receives it as a dependency.
 *
 * Errors an operator can act on are thrown as `ProblemError` (404 unknown
 * version, 409 a change that does not apply to the current state, 422 a
 * version whose features the champion's callers cannot send).
 *
 * @module
 */
import type { ModelChangeRow } from "./store/mod.ts";

/** A version's role: answers (champion), scores in the shadow, or only loaded. */
export type ModelRole = "champion" | "shadow" | "loaded";

/** One loaded model version, as `GET /models` and the site list it. */
export interface ModelVersionInfo {
  version: string;
  role: ModelRole;
  model_type: string;
  /** The features it reads, in the API's order. */
  features: readonly string[];
  threshold: number;
  /** When the model was trained or imported (its metadata's timestamp), if known. */
  created_at: string | null;
  /** Rows it scored so far: as champion (predictions) plus as shadow (shadow_predictions). */
  rows_scored: number;
}

/**
 * One change of roles, as the audit table `model_changes` keeps it: `at` ISO 8601 UTC; `key_id` the
 * admin key id ('' in open mode); `from_version` the champion before (promote, rollback) or null;
 * `to_version` the champion after, or the shadow switched.
 */
export type ModelChange = ModelChangeRow;

/** Who asks for a change, and why (kept in the history). */
export interface Actor {
  keyId: string;
  reason: string;
}

/** What a registry rescan found. */
export interface ReloadResult {
  /** Versions newly loaded. */
  loaded: string[];
  /** Directories refused, with the reason. */
  skipped: { dir: string; reason: string }[];
}

/** The operator's handle on the serving models. */
export interface ModelAdmin {
  list(): Promise<ModelVersionInfo[]>;
  /** Newest first. */
  changes(limit?: number): Promise<ModelChange[]>;
  promote(version: string, actor: Actor): Promise<void>;
  /** Back to the previous champion (kept loaded). */
  rollback(actor: Actor): Promise<void>;
  setShadow(version: string, on: boolean, actor: Actor): Promise<void>;
  reload(): Promise<ReloadResult>;
}
