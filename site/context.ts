/**
 * The site's dependencies and what is derived from them once, at start-up:
 * the shared context every route module receives.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { Predictor } from "../api/predictor.ts";
import type { ModelMeta } from "../api/scoring/model_meta.ts";
import type { Store } from "../api/store/mod.ts";
import { type AssetManifest, readAssetManifest } from "./lib/assets.ts";
import { createDriftReader, type LatestDrift } from "./lib/drift.ts";
import { createReferenceLoader, type SiteReference } from "./lib/reference.ts";

/** Dependencies of `createSite`. */
export interface SiteDeps {
  meta: ModelMeta;
  store: Store;
  /** The app's scoring path: the score form logs through it like any prediction. */
  predictor: Predictor;
  /** Flushes request statistics before they are read (the request-stats recorder). */
  requestStats?: { flush(): void };
  /** Wall clock (tests pin it). */
  now?: () => Date;
  /** Where the site is mounted. Default `/monitor`. */
  basePath?: string;
  /** Reference sample CSV. Default `data/reference/reference_sample.csv`. */
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
  /** Static files (favicon, stylesheet, `build/`). Default `site/static`. */
  staticDir?: string;
}

/** What route modules receive. */
export interface SiteContext {
  base: string;
  meta: ModelMeta;
  store: Store;
  predictor: Predictor;
  flushRequestStats(): void;
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
}

/** The default static directory: `site/static` next to this module. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL("./static", import.meta.url));

/** Builds the context (reads the build manifest; the reference loads lazily). */
export function createSiteContext(deps: SiteDeps): SiteContext {
  const base = deps.basePath ?? "/monitor";
  const staticDir = deps.staticDir ?? DEFAULT_STATIC_DIR;
  return {
    base,
    meta: deps.meta,
    store: deps.store,
    predictor: deps.predictor,
    flushRequestStats: () => deps.requestStats?.flush(),
    now: deps.now ?? (() => new Date()),
    reference: createReferenceLoader(
      deps.referencePath ?? "data/reference/reference_sample.csv",
      deps.meta,
    ),
    latestDrift: createDriftReader(
      deps.store.db,
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
  };
}
