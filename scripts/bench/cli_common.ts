/**
 * Shared pieces of the bench command lines: flag value checks, the load
 * generator choice and the bench's scratch directory.
 *
 * @module
 */
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { UsageError } from "../lib/flags.ts";
import { wrkAvailable } from "./wrk.ts";

export { UsageError };

/** Parses a whole number ≥ `min` given as flag `--name`. */
export function intFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  min = 1,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`--${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Checks that `url` is an http origin on 127.0.0.1 (the benches only load the local machine). */
export function localBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--base-url ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== "http:" || parsed.hostname !== "127.0.0.1") {
    throw new UsageError(
      `--base-url must be http://127.0.0.1:PORT (got ${url}): traffic stays local`,
    );
  }
  if (parsed.pathname !== "/" || parsed.search) {
    throw new UsageError(`--base-url is an origin without a path (got ${url})`);
  }
  return parsed.origin;
}

/** The load generator: `wrk` when asked or (auto) when installed, else `fetch`. */
export async function chooseGenerator(wanted: string | undefined): Promise<"wrk" | "fetch"> {
  const choice = wanted ?? "auto";
  if (choice === "fetch") return "fetch";
  if (choice !== "wrk" && choice !== "auto") {
    throw new UsageError(`--generator must be auto, wrk or fetch (got ${choice})`);
  }
  if (await wrkAvailable()) return "wrk";
  if (choice === "wrk") {
    throw new UsageError("--generator wrk: wrk is not installed (apt-get install wrk)");
  }
  return "fetch";
}

/** A fresh scratch directory under `outputs/perf` (wrk body files); remove it when done. */
export async function makeWorkDir(root = "."): Promise<string> {
  const parent = join(root, "outputs", "perf");
  await mkdir(parent, { recursive: true });
  return await Deno.makeTempDir({ dir: parent, prefix: "tmp-work-" });
}

/** Writes JSON (2-space indent) creating the directory. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
}

/** GET `${baseUrl}/health/ready` → the model version it reports. */
export async function serviceModelVersion(baseUrl: string): Promise<string | null> {
  try {
    const res = await fetch(`${baseUrl}/health/ready`);
    const body = await res.json();
    return typeof body?.model_version === "string" ? body.model_version : null;
  } catch {
    return null;
  }
}
