/**
 * The site's dependencies and what is derived from them once, at start-up:
 * the shared context every route module receives.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { KeyRing } from "../api/auth/api_keys.ts";
import type { SessionCodec } from "../api/auth/session.ts";
import type { AuthThrottle } from "../api/middleware/auth_throttle.ts";
import { createProcessSampler, type ProcessUsage } from "../api/metrics/process_usage.ts";
import type { ModelAdmin } from "../api/model_admin.ts";
import type { Predictor } from "../api/predictor.ts";
import type { ModelMeta } from "../api/scoring/model_meta.ts";
import type { Explainer } from "../api/scoring/reason_codes.ts";
import type { Store } from "../api/store/mod.ts";
import { type AssetManifest, readAssetManifest } from "./lib/assets.ts";
import { createDriftReader, type LatestDrift } from "./lib/drift.ts";
import { createPerformanceReader, type PerformanceReader } from "./lib/performance.ts";
import { createReferenceLoader, type SiteReference } from "./lib/reference.ts";
import { createVersionDrift, type VersionDrift } from "./lib/model_versions.ts";
import type { VersionArtifacts } from "../monitoring/run_version.ts";

/** Dependencies of `createSite`: the services it shares with the API, and its options. */
export interface SiteDeps extends SiteOptions {
  meta: ModelMeta;
  store: Store;
  /** The app's scoring path: the score form logs through it like any prediction. */
  predictor: Predictor;
  /** Flushes request statistics before they are read (the request-stats recorder). */
  requestStats?: { flush(): Promise<void> };
  /** Wall clock (tests pin it). */
  now?: () => Date;
  /** The app's API keys: with admin keys the site needs an admin identity. */
  ring: KeyRing;
  /** Issues and checks session and CSRF tokens. */
  sessions: SessionCodec;
  /** Reason codes for logged rows stored without them. */
  explainer?: Pick<Explainer, "explainRows" | "unavailable" | "method">;
  /** Throttles and logs failed logins and wrong keys per client (shared with the API). */
  authThrottle?: AuthThrottle;
  /** CSP `frame-ancestors` sources (see `api/http/frame_ancestors.ts`). Default `'self'`. */
  frameAncestors?: readonly string[];
}

/** The site's own settings (defaults suit the service; tests and tools change them). */
export interface SiteOptions {
  /**
   * The serving models (several versions: champion, shadows, loaded): the
   * model pages, comparisons and promote / roll back. Absent: one model, and
   * the pages say there is nothing to compare.
   */
  models?: ModelAdmin;
  /** A loaded version's metadata and reference sample (per-version drift, comparison costs). */
  modelArtifacts?: (version: string) => VersionArtifacts | undefined;
  /** Where the site is mounted. Default `/monitor`. */
  basePath?: string;
  /**
   * Reference sample CSV: the model's (`reference_sample.csv` in its artifacts
   * directory, passed by the composition root). Without one, the pages that
   * compare with the reference say it is missing.
   */
  referencePath?: string;
  /** Report file of `deno task drift`. Default `outputs/monitoring/drift_report.json`. */
  driftReportPath?: string;
  /** Live pages poll their JSON endpoint this often. Default 5000 ms. */
  livePollMs?: number;
  /** Recompute-drift limits. */
  drift?: {
    /** Most rows one recompute reads (the window's most recent). Default 50,000. */
    maxRows?: number;
    /** Shortest time between two recomputes. Default 10 s. */
    minIntervalMs?: number;
  };
  /** What the service's monitoring scheduler does (shown on the drift page). */
  monitoring?: { webhook?: boolean; intervalMinutes?: number };
  /** Static files (favicon, stylesheet, `build/`). Default `site/static`. */
  staticDir?: string;
  /** The process's memory and CPU use. Default: sampled here (CPU since the previous view). */
  processUsage?: () => ProcessUsage;
  /** Performance page and alert limits. */
  performance?: {
    /**
     * Most predictions of a window one report reads (the most recent).
     * Default {@link DEFAULT_PERFORMANCE_MAX_ROWS}.
     */
    maxRows?: number;
    /** How long the overview's alert reuses a window's report. Default 60 s. */
    cacheMs?: number;
  };
}

/**
 * Default row cap of the site's performance reports: about 0.1 s per report
 * (the DeLong interval and the CBPE expected AUC sort the rows), within the
 * pages' 200 ms budget; its interval is already narrow (±0.01 on ~10,000
 * labelled rows).
 */
export const DEFAULT_PERFORMANCE_MAX_ROWS = 20_000;

/** What route modules receive. */
export interface SiteContext {
  base: string;
  meta: ModelMeta;
  store: Store;
  predictor: Predictor;
  flushRequestStats(): Promise<void>;
  now(): Date;
  reference(): Promise<SiteReference>;
  latestDrift(): Promise<LatestDrift | null>;
  staticDir: string;
  /** `null` when the islands are not built: no scripts, static charts. */
  assets: AssetManifest | null;
  /** URL prefix of the build's files. */
  assetBase: string;
  livePollMs: number;
  /** Recompute limits and state (one recompute at a time). */
  drift: { maxRows: number; minIntervalMs: number; lastRunMs: number | null; running: boolean };
  ring: KeyRing;
  sessions: SessionCodec;
  /** Failed-authentication throttle; null = none (tests of other concerns). */
  authThrottle: AuthThrottle | null;
  /** Who may frame the site (CSP `frame-ancestors`). */
  frameAncestors: readonly string[];
  /** True when no key is configured: the site is open to anyone (and says so). */
  openMode: boolean;
  explainer: Pick<Explainer, "explainRows" | "unavailable" | "method"> | null;
  processUsage(): ProcessUsage;
  performance: PerformanceReader;
  monitoring: { webhook?: boolean; intervalMinutes?: number };
  /** The serving models; null with one model. */
  models: ModelAdmin | null;
  modelArtifacts(version: string): VersionArtifacts | undefined;
  /** Per-version drift references and reports. */
  versionDrift: VersionDrift;
}

/** The default static directory: `site/static` next to this module. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL("./static", import.meta.url));

/** Builds the context (reads the build manifest; the reference loads lazily). */
export function createSiteContext(deps: SiteDeps): SiteContext {
  const base = deps.basePath ?? "/monitor";
  const staticDir = deps.staticDir ?? DEFAULT_STATIC_DIR;
  const models = deps.models ?? null;
  const modelArtifacts = deps.modelArtifacts ?? (() => undefined);
  return {
    base,
    meta: deps.meta,
    store: deps.store,
    predictor: deps.predictor,
    flushRequestStats: () => deps.requestStats?.flush() ?? Promise.resolve(),
    now: deps.now ?? (() => new Date()),
    reference: createReferenceLoader(deps.referencePath ?? null, deps.meta),
    latestDrift: createDriftReader(
      deps.store,
      deps.driftReportPath ?? "outputs/monitoring/drift_report.json",
    ),
    staticDir,
    assets: readAssetManifest(join(staticDir, "build")),
    assetBase: `${base}/static/build/`,
    livePollMs: deps.livePollMs ?? 5000,
    drift: {
      maxRows: deps.drift?.maxRows ?? 50_000,
      minIntervalMs: deps.drift?.minIntervalMs ?? 10_000,
      lastRunMs: null,
      running: false,
    },
    ring: deps.ring,
    sessions: deps.sessions,
    authThrottle: deps.authThrottle ?? null,
    frameAncestors: deps.frameAncestors ?? ["'self'"],
    openMode: deps.ring.open,
    explainer: deps.explainer ?? null,
    processUsage: deps.processUsage ?? createProcessSampler({ minIntervalMs: 1000 }),
    monitoring: deps.monitoring ?? {},
    performance: createPerformanceReader(deps.store, deps.meta, {
      maxRows: deps.performance?.maxRows ?? DEFAULT_PERFORMANCE_MAX_ROWS,
      ttlMs: deps.performance?.cacheMs,
    }),
    models,
    modelArtifacts,
    versionDrift: createVersionDrift({
      meta: deps.meta,
      store: deps.store,
      models,
      modelArtifacts,
    }),
  };
}
