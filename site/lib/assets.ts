/**
 * The island build's manifest (`site/static/build/manifest.json`, written by
 * `scripts/build_islands.ts`): which hashed file holds each island's browser
 * bundle, and the stylesheets the islands need. Read once at start-up; when
 * it is absent the site renders without islands (static charts, no live
 * updates) and says so in the footer.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Manifest file name inside the build directory. */
export const MANIFEST_FILE = "manifest.json";

/** The build manifest; paths are relative to the build directory. */
export interface AssetManifest {
  /** Island name (file name in `site/islands/` without extension) → bundle file. */
  islands: Record<string, string>;
  /** Stylesheets to link on every page. */
  css: string[];
}

function isManifest(x: unknown): x is AssetManifest {
  const m = x as Partial<AssetManifest> | null;
  return typeof m === "object" && m !== null && typeof m.islands === "object" &&
    m.islands !== null && Array.isArray(m.css) &&
    Object.values(m.islands).every((v) => typeof v === "string") &&
    m.css.every((v) => typeof v === "string");
}

/** Reads the manifest of a build directory; `null` when there is no (valid) build. */
export function readAssetManifest(buildDir: string): AssetManifest | null {
  let text: string;
  try {
    text = readFileSync(join(buildDir, MANIFEST_FILE), "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = JSON.parse(text);
    return isManifest(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
