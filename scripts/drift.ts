/**
 * `deno task drift`: compares recent logged predictions with the reference
 * sample, writes the JSON report and prints a summary. Flags and exit codes:
 * see {@link DRIFT_USAGE} (`deno task drift --help`). All the logic lives in
 * the modules it calls; this file only wires I/O, messages and exit codes.
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { countPredictions } from "../api/store/mod.ts";
import { UsageError } from "./lib/flags.ts";
import { DRIFT_USAGE, parseDriftArgs } from "./drift_args.ts";
import { createProgress } from "./lib/progress.ts";
import { computeDrift, loadDriftReference, openStoreForReading } from "../monitoring/run_drift.ts";
import { formatDriftSummary } from "../monitoring/summary_table.ts";
import { reachesLevel } from "../monitoring/verdict.ts";

/** Exit codes of `deno task drift`. */
export const EXIT = { ok: 0, error: 1, usage: 2, verdict: 3 } as const;

/** Runs the task with these arguments; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseDriftArgs(args, (name) => Deno.env.get(name));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`drift: ${err.message} (see --help)`);
    return EXIT.usage;
  }
  if (options.help) {
    console.log(DRIFT_USAGE);
    return EXIT.ok;
  }
  try {
    const store = openStoreForReading(options.dbPath);
    let report;
    try {
      const total = countPredictions(store.db, options.query);
      if (total === 0) {
        throw new Error(
          store.count() === 0
            ? `${options.dbPath}: no predictions logged yet`
            : `${options.dbPath}: no predictions in the selected window`,
        );
      }
      const { meta, profile } = await loadDriftReference({
        artifactsDir: options.artifactsDir,
        referencePath: options.referencePath ?? undefined,
        bins: options.bins,
      });
      const progress = createProgress({ label: "drift", total });
      report = computeDrift(store, profile, {
        meta,
        query: options.query,
        minRows: options.minRows,
        onProgress: (rows) => progress.update(rows),
      });
      progress.stop();
    } finally {
      await store.close();
    }
    await mkdir(dirname(options.outPath), { recursive: true });
    await writeFile(options.outPath, JSON.stringify(report, null, 2) + "\n");
    console.log(formatDriftSummary(report));
    console.log(`\nreport written to ${options.outPath}`);
    if (options.failOn !== undefined && reachesLevel(report.overall_verdict, options.failOn)) {
      console.error(
        `drift: overall verdict ${report.overall_verdict} reaches --fail-on ${options.failOn}`,
      );
      return EXIT.verdict;
    }
    return EXIT.ok;
  } catch (err) {
    console.error(`drift: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
