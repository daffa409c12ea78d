/**
 * `deno task build`: bundles every island of `site/islands/` for the browser
 * with esbuild (one ESM entry per island, shared chunks for Preact and uPlot,
 * content-hashed names) into `site/static/build/`, plus uPlot's stylesheet,
 * and writes `manifest.json` mapping island names to files. Runs once before
 * the server starts, never per request; the server itself never runs esbuild.
 *
 * Each island entry is generated: it imports the island's default export and
 * hands it to `site/client/boot.ts`, which hydrates the island's
 * server-rendered elements.
 *
 * @module
 */
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { type AssetManifest, MANIFEST_FILE } from "../site/lib/assets.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SITE = join(ROOT, "site");
const ISLANDS = join(SITE, "islands");
const BOOT = join(SITE, "client", "boot.ts");
/** Output directory, served under `/monitor/static/build/`. */
export const BUILD_DIR = join(SITE, "static", "build");
const UPLOT_CSS = join(ROOT, "node_modules", "uplot", "dist", "uPlot.min.css");
/** Build here first, then swap in: a failed build leaves the previous one in place. */
const STAGING_DIR = `${BUILD_DIR}.tmp`;
const NS = "island-entry";

/** Island names: the `.tsx` files of `site/islands/` (files starting with `_` are helpers). */
export async function islandNames(dir = ISLANDS): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => f.endsWith(".tsx") && !f.startsWith("_"))
    .map((f) => basename(f, ".tsx"))
    .sort();
}

/** The generated entry module of one island. */
export function islandEntrySource(name: string, islandFile: string, bootFile: string): string {
  return [
    `import Island from ${JSON.stringify(islandFile)};`,
    `import { boot } from ${JSON.stringify(bootFile)};`,
    `boot(${JSON.stringify(name)}, Island);`,
    "",
  ].join("\n");
}

const entriesPlugin: esbuild.Plugin = {
  name: "island-entries",
  setup(build) {
    build.onResolve({ filter: /^island:/ }, (args) => ({
      path: args.path.slice("island:".length),
      namespace: NS,
    }));
    build.onLoad({ filter: /.*/, namespace: NS }, (args) => ({
      contents: islandEntrySource(args.path, join(ISLANDS, `${args.path}.tsx`), BOOT),
      resolveDir: SITE,
      loader: "ts",
    }));
  },
};

/** Builds the islands; returns the manifest written. */
export async function buildIslands(options: { minify?: boolean } = {}): Promise<AssetManifest> {
  const names = await islandNames();
  await rm(STAGING_DIR, { recursive: true, force: true });
  await mkdir(STAGING_DIR, { recursive: true });
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: [
        ...names.map((name) => ({ in: `island:${name}`, out: name })),
        { in: UPLOT_CSS, out: "uplot" },
      ],
      plugins: [entriesPlugin],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: ["es2020"],
      jsx: "automatic",
      jsxImportSource: "preact",
      outdir: STAGING_DIR,
      entryNames: "[name]-[hash]",
      chunkNames: "chunks/[name]-[hash]",
      minify: options.minify ?? true,
      metafile: true,
      legalComments: "none",
      logLevel: "warning",
    });
    const islands: Record<string, string> = {};
    const css: string[] = [];
    for (const [out, info] of Object.entries(result.metafile.outputs)) {
      const file = relative(STAGING_DIR, join(ROOT, out)).replaceAll("\\", "/");
      const entry = info.entryPoint;
      if (entry?.startsWith(`${NS}:`)) islands[entry.slice(NS.length + 1)] = file;
      else if (out.endsWith(".css")) css.push(file);
    }
    const missing = names.filter((n) => !(n in islands));
    if (missing.length) throw new Error(`no bundle for island(s): ${missing.join(", ")}`);
    // No timestamp: the same sources give the same files, so the committed build can be checked.
    const manifest: AssetManifest = { islands, css };
    await writeFile(join(STAGING_DIR, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    await rm(BUILD_DIR, { recursive: true, force: true });
    await rename(STAGING_DIR, BUILD_DIR);
    return manifest;
  } finally {
    await esbuild.stop();
  }
}

if (import.meta.main) {
  const t0 = performance.now();
  const manifest = await buildIslands();
  const ms = Math.round(performance.now() - t0);
  console.log(
    `build: ${Object.keys(manifest.islands).length} islands → ${
      relative(ROOT, BUILD_DIR)
    } in ${ms} ms`,
  );
}
