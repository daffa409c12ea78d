/**
 * The dependency rule of `ARCHITECTURE.md`, held by a test: which folder may
 * import which, no import cycle anywhere (type-only imports included), only
 * the ONNX session module loads onnxruntime-web, and `monitoring/` stays a
 * pure library. Imports are read from the source text (static, type-only,
 * re-exports, dynamic imports and `new URL(…, import.meta.url)` workers).
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const ROOT = dirname(new URL(import.meta.url).pathname);
const FOLDERS = ["api", "site", "monitoring", "scripts"];

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && !["node_modules", "static", "testdata"].includes(entry.name)) {
      yield* walk(path);
    } else if (entry.isFile && /\.tsx?$/.test(entry.name)) yield path;
  }
}

async function sourceFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(ROOT)) {
    if (entry.isFile && /\.tsx?$/.test(entry.name)) files.push(entry.name);
  }
  for (const folder of FOLDERS) for await (const f of walk(folder)) files.push(f);
  return files.sort();
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)["']([^"']+)["']/g;

/** Project-relative targets of a file's relative imports, and its bare (package) imports. */
function importsOf(file: string, text: string): { local: string[]; packages: string[] } {
  const local: string[] = [];
  const packages: string[] = [];
  const code = text.replace(/^\s*(\/\/|\*).*$/gm, "");
  for (const [, spec] of code.matchAll(SPECIFIER)) {
    if (spec.startsWith(".")) {
      const target = normalize(join(dirname(file), spec));
      if (/\.tsx?$/.test(target)) local.push(target);
    } else packages.push(spec);
  }
  return { local, packages };
}

const isTest = (f: string) => /_test\.tsx?$/.test(f) || f.split("/").includes("testing");

/** The layer of a production module. */
function layerOf(f: string): string {
  if (!f.includes("/")) return "main";
  if (/^api\/(scoring|store)\//.test(f) || f === "api/micro_batcher.ts") return "foundation";
  return f.split("/")[0];
}

/** What each layer's production modules may import, besides their own layer (ARCHITECTURE.md). */
function allowed(from: string, to: string, target: string): boolean {
  const layer = layerOf(target);
  switch (layerOf(from)) {
    case "main":
      return layer !== "scripts" && layer !== "main";
    case "site":
      return ["foundation", "monitoring"].includes(layer) ||
        (layer === "api" && target !== "api/mod.ts" && !target.startsWith("api/routes/"));
    case "api":
      return ["foundation", "monitoring"].includes(layer);
    case "monitoring":
      return layer === "foundation";
    case "foundation":
      // Inside the foundation: scoring and store each stand on the batcher only.
      return to === "foundation" &&
        !(from.startsWith("api/scoring/") && target.startsWith("api/store/")) &&
        !(from.startsWith("api/store/") && target.startsWith("api/scoring/"));
    case "scripts":
      return !isTest(target);
  }
  return false;
}

const files = await sourceFiles();
const graph = new Map<string, { local: string[]; packages: string[] }>();
for (const f of files) graph.set(f, importsOf(f, await Deno.readTextFile(join(ROOT, f))));

Deno.test("every relative import names a file that exists", () => {
  const missing = [...graph].flatMap(([f, { local }]) =>
    local.filter((t) => !graph.has(t)).map((t) => `${f} → ${t}`)
  );
  assert.deepEqual(missing, []);
});

Deno.test("production modules import only what their layer may (ARCHITECTURE.md)", () => {
  const broken: string[] = [];
  for (const [f, { local }] of graph) {
    if (isTest(f)) continue;
    for (const t of local) {
      if (layerOf(t) === layerOf(f) && layerOf(f) !== "foundation") continue;
      if (isTest(t) || !allowed(f, layerOf(t), t)) broken.push(`${f} → ${t}`);
    }
  }
  assert.deepEqual(broken, []);
});

Deno.test("a private module (`_name.ts`) is imported only from its own folder", () => {
  const broken = [...graph].flatMap(([f, { local }]) =>
    local.filter((t) => t.split("/").at(-1)!.startsWith("_") && dirname(t) !== dirname(f))
      .map((t) => `${f} → ${t}`)
  );
  assert.deepEqual(broken, []);
});

Deno.test("no test module is imported by another module", () => {
  const broken = [...graph].flatMap(([f, { local }]) =>
    local.filter((t) => /_test\.tsx?$/.test(t)).map((t) => `${f} → ${t}`)
  );
  assert.deepEqual(broken, []);
});

/** Strongly connected components with more than one module (or a self-import): the cycles. */
function cycles(): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.local ?? []) {
      if (!graph.has(w)) continue;
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)!.local.includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  return found;
}

Deno.test("no import cycle anywhere, type-only imports included", () => {
  assert.deepEqual(cycles(), []);
});

/** Every module `file` loads, directly or not. */
function closure(file: string): Set<string> {
  const seen = new Set<string>([file]);
  const todo = [file];
  while (todo.length) {
    for (const t of graph.get(todo.pop()!)?.local ?? []) {
      if (!seen.has(t)) {
        seen.add(t);
        todo.push(t);
      }
    }
  }
  return seen;
}

const ONNX_SESSION = "api/scoring/onnx_session.ts";

Deno.test("only the ONNX session module imports onnxruntime-web", () => {
  const importers = [...graph]
    .filter(([f, { packages }]) => !isTest(f) && packages.includes("onnxruntime-web"))
    .map(([f]) => f)
    .filter((f) => !f.startsWith("scripts/"));
  assert.deepEqual(importers, [ONNX_SESSION]);
});

Deno.test("monitoring is a pure library: no ONNX runtime, no CLI, no process control", async () => {
  for (const [f] of graph) {
    if (!f.startsWith("monitoring/") || isTest(f)) continue;
    assert.ok(!closure(f).has(ONNX_SESSION), `${f} loads onnxruntime-web`);
    const text = await Deno.readTextFile(join(ROOT, f));
    for (const banned of ["Deno.args", "Deno.exit", "cli-progress", "console.log"]) {
      assert.ok(!text.includes(banned), `${f} uses ${banned}`);
    }
  }
});

Deno.test("the model metadata, drift and training paths never load onnxruntime-web", () => {
  for (const f of ["api/scoring/model_meta.ts", "scripts/train.ts"]) {
    if (graph.has(f)) assert.ok(!closure(f).has(ONNX_SESSION), `${f} loads onnxruntime-web`);
  }
});

Deno.test("the rule reads real imports (the walk found the project)", () => {
  assert.ok(graph.size > 100, `${graph.size} modules`);
  assert.ok(graph.get("main.ts")!.local.includes("api/mod.ts"));
  assert.equal(relative(ROOT, join(ROOT, "main.ts")), "main.ts");
});
