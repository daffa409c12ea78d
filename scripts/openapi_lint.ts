/**
 * `deno task openapi:lint [--keys]`: builds the service in-process on the
 * committed model and a temp database, takes the OpenAPI document it serves
 * at `/openapi.json`, and lints it with Redocly's CLI under its `recommended`
 * rules (`npm:@redocly/cli`, pinned in deno.json and deno.lock, run by Deno
 * in a subprocess that may read and nothing else: no network, no writes).
 * Prints every problem; exits 1 when there is an error. `--keys` lints the
 * document of a deployment with keys configured (the default is open mode;
 * the two differ only in the keys being optional). The contract test runs
 * {@link lintOpenApi} on both, so CI runs it.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type AppConfig, createApp } from "../main.ts";
import { DEFAULT_CONFIG } from "../api/config.ts";
import { openRegistry } from "../api/scoring/registry.ts";
import { openLifecycle } from "../api/model_lifecycle.ts";
import { loadModel } from "../api/scoring/model.ts";
import { openStore } from "../api/store/mod.ts";

/** The Redocly CLI release the check runs (the one in deno.json's imports). */
export const REDOCLY_CLI = "npm:@redocly/cli@2.77.0";

/** One finding of the linter. */
export interface LintProblem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  /** JSON Pointer into the document. */
  pointer: string;
}

interface RedoclyJson {
  problems: {
    ruleId: string;
    severity: "error" | "warn";
    message: string;
    location?: { pointer?: string }[];
  }[];
}

/**
 * Lints `document` with Redocly's recommended rules; resolves with every
 * finding. Needs permission to run `deno` and to write a temp file.
 */
export async function lintOpenApi(document: unknown): Promise<{ problems: LintProblem[] }> {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_openapi_" });
  try {
    const file = join(dir, "openapi.json");
    await Deno.writeTextFile(file, JSON.stringify(document, null, 2));
    const out = await new Deno.Command("deno", {
      args: [
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-sys",
        REDOCLY_CLI,
        "lint",
        "--extends=recommended",
        "--format=json",
        file,
      ],
      // From the repository, so Deno takes the CLI pinned in deno.json and deno.lock.
      cwd: new URL("..", import.meta.url).pathname,
      env: { NO_COLOR: "1", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      stdin: "null",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const start = stdout.indexOf("{");
    if (start < 0) {
      throw new Error(
        `redocly lint printed no report (exit ${out.code}): ${
          new TextDecoder().decode(out.stderr)
        }`,
      );
    }
    const report = JSON.parse(stdout.slice(start)) as RedoclyJson;
    return {
      problems: report.problems.map((p) => ({
        ruleId: p.ruleId,
        severity: p.severity,
        message: p.message,
        pointer: p.location?.[0]?.pointer ?? "",
      })),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The document served by the app built on the committed model (open mode unless `keys`). */
export async function servedDocument(options: { keys?: boolean } = {}): Promise<unknown> {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_openapi_" });
  const registry = await openRegistry({
    artifactsDir: "artifacts",
    modelsDir: "",
    load: (d) => loadModel(d),
  });
  const store = await openStore(join(dir, "log.sqlite"), { synchronous: "NORMAL" });
  const lifecycle = await openLifecycle({ registry, store });
  const model = lifecycle.source().champion;
  const keys = options.keys ? ["k".repeat(32)] : [];
  const config: AppConfig = { ...DEFAULT_CONFIG, apiKeys: keys, adminKeys: keys };
  const app = createApp({ config, model, lifecycle, store });
  try {
    return app.openApiDocument();
  } finally {
    app.dispose();
    await store.close();
    await registry.release();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { keys: { type: "boolean", default: false } } });
  const { problems } = await lintOpenApi(await servedDocument({ keys: values.keys }));
  for (const p of problems) console.log(`${p.severity}\t${p.ruleId}\t${p.pointer}\t${p.message}`);
  const errors = problems.filter((p) => p.severity === "error").length;
  console.log(`openapi:lint: ${errors} error(s), ${problems.length - errors} warning(s)`);
  Deno.exit(errors > 0 ? 1 : 0);
}
