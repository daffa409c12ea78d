/**
 * Model versions for lifecycle tests: the fixture model written under
 * another version (a challenger), with a renamed feature (an incompatible
 * version), or broken (a directory the registry must skip); and a copy of
 * any artifacts directory under another version.
 *
 * @module
 */
import { join } from "node:path";
import { writeFixtureModel } from "./fixture_model.ts";

/** Options for {@link writeVersion}. */
export interface VersionOptions {
  threshold?: number;
  /** Renames feature `from` to `to` (features and columns): a version the champion's callers cannot feed. */
  rename?: { from: string; to: string };
  /** Corrupts the ONNX file after writing (its sha256 no longer matches). */
  corrupt?: boolean;
}

/** Writes the fixture model as `version` into `dir` (created). */
export async function writeVersion(
  dir: string,
  version: string,
  options: VersionOptions = {},
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const meta = await writeFixtureModel(dir, {
    modelVersion: version,
    threshold: options.threshold,
  });
  if (options.rename) {
    const { from, to } = options.rename;
    const patched = {
      ...meta,
      features: meta.features.map((f) => f.name === from ? { ...f, name: to } : f),
      columns: meta.columns.map((c) => c.name === from ? { ...c, name: to } : c),
    };
    await Deno.writeTextFile(join(dir, "model_meta.json"), JSON.stringify(patched, null, 2));
  }
  if (options.corrupt) await Deno.writeFile(join(dir, "model.onnx"), new Uint8Array([1, 2, 3]));
  return dir;
}
