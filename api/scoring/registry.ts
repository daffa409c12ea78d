/**
 * The model registry: every model version the service can serve, loaded
 * and kept by version. Its directories are `ARTIFACTS_DIR` (a registry of
 * one, and the default champion) and each subdirectory of `MODELS_DIR` (one
 * artifacts directory per version, as `deno task train` and
 * `deno task import-model` write them; names starting with `.` are left
 * alone, so a directory can be written under a dot name and renamed into
 * place).
 *
 * A directory that does not load (missing or corrupt artifact, a version
 * already loaded from another directory) is skipped and reported, never
 * fatal here. A rescan loads the directories not loaded yet and retries the
 * skipped ones; a loaded version is never reloaded or unloaded (a version
 * is a content hash: new content is a new directory), so a previous
 * champion stays ready for a rollback.
 *
 * @module
 */
import { join, resolve } from "node:path";
import type { ScoringModel } from "./model.ts";
import { readModelMeta } from "./model_meta.ts";

/** A directory refused by a scan, and why. */
export interface SkippedDir {
  dir: string;
  reason: string;
}

/** Options for {@link openRegistry}. */
export interface RegistryOptions {
  /** `ARTIFACTS_DIR`: a registry of one, and the default champion ('' = none). */
  artifactsDir: string;
  /** `MODELS_DIR`: one artifacts directory per version ('' = none). */
  modelsDir: string;
  /** Loads one artifacts directory (the service: `loadModel` with its metrics hooks). */
  load(dir: string): Promise<ScoringModel>;
}

/** The loaded versions. */
export interface ModelRegistry {
  /** A loaded version, by `model_version`. */
  get(version: string): ScoringModel | undefined;
  /** Every loaded version, in load order. */
  all(): ScoringModel[];
  /** The version loaded from `ARTIFACTS_DIR`, or null when it did not load. */
  defaultVersion(): string | null;
  /** The directories the last scan refused. */
  skipped(): SkippedDir[];
  /** Loads what is new (or failed before); one scan at a time. */
  rescan(): Promise<{ loaded: string[]; skipped: SkippedDir[] }>;
  /** Releases every model's session. */
  release(): Promise<void>;
}

/** The candidate directories: ARTIFACTS_DIR, then MODELS_DIR's subdirectories by name. */
async function candidates(options: RegistryOptions, skipped: SkippedDir[]): Promise<string[]> {
  const dirs = options.artifactsDir ? [options.artifactsDir] : [];
  if (!options.modelsDir) return dirs;
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(options.modelsDir)) {
      if (entry.isDirectory && !entry.name.startsWith(".")) names.push(entry.name);
    }
  } catch (err) {
    skipped.push({
      dir: options.modelsDir,
      reason: `MODELS_DIR cannot be read: ${(err as Error).message}`,
    });
  }
  return [...dirs, ...names.sort().map((name) => join(options.modelsDir, name))];
}

/** Scans the directories once and returns the registry. */
export async function openRegistry(options: RegistryOptions): Promise<ModelRegistry> {
  const byVersion = new Map<string, ScoringModel>();
  /** Resolved directory → the version loaded from it. */
  const byDir = new Map<string, string>();
  let defaultVersion: string | null = null;
  let lastSkipped: SkippedDir[] = [];

  async function scan() {
    const loaded: string[] = [];
    const skipped: SkippedDir[] = [];
    for (const dir of await candidates(options, skipped)) {
      const path = resolve(dir);
      if (byDir.has(path)) continue;
      try {
        // The metadata first: a duplicate version is refused before its ONNX session is built.
        const { model_version: version } = await readModelMeta(dir);
        const other = byVersion.get(version);
        if (other) throw new Error(`version ${version} is already loaded from ${other.dir}`);
        const model = await options.load(dir);
        if (model.meta.model_version !== version) {
          await model.release();
          throw new Error("model_meta.json changed while it was loaded; rescan");
        }
        byVersion.set(version, model);
        byDir.set(path, version);
        loaded.push(version);
        if (dir === options.artifactsDir) defaultVersion = version;
      } catch (err) {
        skipped.push({ dir, reason: (err as Error).message });
      }
    }
    lastSkipped = skipped;
    return { loaded, skipped };
  }

  let scanning = scan();
  await scanning;
  return {
    get: (version) => byVersion.get(version),
    all: () => [...byVersion.values()],
    defaultVersion: () => defaultVersion,
    skipped: () => [...lastSkipped],
    rescan() {
      scanning = scanning.catch(() => {}).then(scan);
      return scanning;
    },
    async release() {
      await scanning.catch(() => {});
      for (const model of byVersion.values()) await model.release();
      byVersion.clear();
    },
  };
}
