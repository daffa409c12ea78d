/**
 * A copy of an artifacts directory under another `model_version`: the same
 * model as a second version (a challenger for benchmarks and tests of the
 * model lifecycle). Only the metadata changes; the artifacts' checksums
 * still hold.
 *
 * @module
 */
import { join } from "node:path";

/** Copies the artifacts directory `from` to `to` with `model_version` set to `version`. */
export async function copyAsVersion(from: string, to: string, version: string): Promise<string> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isFile) await Deno.copyFile(join(from, entry.name), join(to, entry.name));
  }
  const path = join(to, "model_meta.json");
  const meta = JSON.parse(await Deno.readTextFile(path));
  await Deno.writeTextFile(path, JSON.stringify({ ...meta, model_version: version }, null, 2));
  return to;
}
