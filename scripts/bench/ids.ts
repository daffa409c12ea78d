/**
 * `deno task bench ids`: what the order of request ids costs the audit log.
 * Request ids are the log's unique `(request_id, client_id)` key. The same
 * rows are logged through the real store and its group commit
 * (`synchronous=FULL`, the service's default; `--group` one-row entries per
 * commit, as concurrent /predict calls arrive), once with random version-4
 * UUIDs (what the service issued before, and what a client may send) and
 * once with the time-ordered version-7 UUIDs the service issues
 * (`api/http/request_id.ts`), alternating, each into a fresh temp database.
 *
 *   deno task bench ids [--rows 60000] [--group 32] [--reps 3]
 *
 * Reports the medians of rows per second and of process CPU per row.
 *
 * @module
 */
import { join } from "node:path";
import { newRequestId } from "../../api/http/request_id.ts";
import { openStore } from "../../api/store/mod.ts";
import { parseFlags, parseIntegerFlag } from "../lib/flags.ts";
import { type LogLoad, logRows } from "../lib/log_load.ts";
import { fmt, markdownTable, median, type SuiteRun } from "./stats.ts";

/** The help text. */
export const USAGE = "deno task bench ids [--rows 60000] [--group 32] [--reps 3]";

const KINDS = {
  "random (UUID v4)": () => crypto.randomUUID(),
  "time-ordered (UUID v7, issued by the service)": newRequestId,
} as const;

/** Runs the suite. */
export const run: SuiteRun = async (args, log) => {
  const v = parseFlags(args, {
    rows: { type: "string", default: "60000" },
    group: { type: "string", default: "32" },
    reps: { type: "string", default: "3" },
  });
  const rows = parseIntegerFlag("rows", v.rows, { min: 1 });
  const group = parseIntegerFlag("group", v.group, { min: 1, max: 100_000 });
  const reps = parseIntegerFlag("reps", v.reps, { min: 1, max: 100 });
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_bench_ids_" });
  const loads = new Map<string, LogLoad[]>(Object.keys(KINDS).map((k) => [k, []]));
  try {
    for (let rep = 0; rep < reps; rep++) {
      // Alternating which goes first, so neither always meets a warmer machine.
      const order = Object.entries(KINDS);
      if (rep % 2 === 1) order.reverse();
      for (const [kind, requestId] of order) {
        log(`ids: ${kind}, run ${rep + 1} of ${reps} …`);
        const store = await openStore(join(dir, `${rep}-${loads.get(kind)!.length}.sqlite`), {
          maxBatchRows: group,
        });
        try {
          loads.get(kind)!.push(await logRows(store, { rows, group, requestId }));
        } finally {
          await store.close();
        }
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const summary = Object.fromEntries(
    [...loads].map(([kind, runs]) => [kind, {
      rowsPerS: median(runs.map((r) => r.rows / r.seconds)),
      cpuUsPerRow: median(runs.map((r) => r.cpuUsPerRow)),
    }]),
  );
  const ordered = summary["time-ordered (UUID v7, issued by the service)"];
  const markdown =
    `## ids: the audit log's group commit by request-id order, ${rows} rows × ${reps} runs, ` +
    `${group} entries per commit, synchronous=FULL (medians)\n\n` +
    markdownTable(
      ["request ids", "rows/s", "CPU µs/row", "CPU × time-ordered"],
      Object.entries(summary).map(([kind, s]) => [
        kind,
        fmt(s.rowsPerS),
        fmt(s.cpuUsPerRow),
        fmt(s.cpuUsPerRow / ordered.cpuUsPerRow),
      ]),
    );
  return { json: { settings: { rows, group, reps }, summary }, markdown };
};
