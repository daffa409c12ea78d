/**
 * What `PRAGMA secure_delete` (on for every read-write SQLite connection of
 * the store, so that nothing an erasure frees stays readable) costs the
 * audit log's writes: the same rows logged through the real store and its
 * group commit, with secure_delete on (the store's setting) and off (the
 * `pragmas` hook), alternating, in the same run (the machine is shared:
 * compare the ratio, not the absolute rates).
 *
 *   deno run --allow-read=/tmp --allow-write=/tmp scripts/secure_delete_cost.ts
 *     [--rows 100000] [--group 200] [--reps 8]
 *
 * Each run logs `rows` predictions with random request ids (as a client may
 * send them: the unique index is filled in random order, the case where
 * b-tree splits move the most cells), `group` rows
 * per commit, into a fresh temp database (`synchronous=NORMAL`, so the disk's
 * fsync does not hide the difference). Prints the median rate of each
 * setting and their ratio.
 *
 * @module
 */
import { join } from "node:path";
import { parseFlags, parseIntegerFlag, UsageError } from "./lib/flags.ts";
import { openStore } from "../api/store/mod.ts";
import { logRows } from "./lib/log_load.ts";

/** One measurement: rows per second with secure_delete on and off, medians over `reps`. */
export interface SecureDeleteCost {
  rows: number;
  reps: number;
  onRowsPerSecond: number;
  offRowsPerSecond: number;
  /** on / off. */
  ratio: number;
}

/** Rows per second logging `rows` rows, `group` per commit, with secure_delete on or off. */
async function logRate(dir: string, on: boolean, rows: number, group: number): Promise<number> {
  const path = join(dir, `${on ? "on" : "off"}-${crypto.randomUUID()}.sqlite`);
  const store = await openStore(path, {
    synchronous: "NORMAL",
    maxBatchRows: group,
    pragmas: on ? [] : ["secure_delete = OFF"],
  });
  try {
    const load = await logRows(store, { rows, group, requestId: () => crypto.randomUUID() });
    return rows / load.seconds;
  } finally {
    await store.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Measures both settings, alternating, `reps` times each. */
export async function measureSecureDelete(
  options: { rows: number; group: number; reps: number },
): Promise<SecureDeleteCost> {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_secure_delete_" });
  try {
    const on: number[] = [];
    const off: number[] = [];
    for (let i = 0; i < options.reps; i++) {
      off.push(await logRate(dir, false, options.rows, options.group));
      on.push(await logRate(dir, true, options.rows, options.group));
    }
    const onRate = median(on);
    const offRate = median(off);
    return {
      rows: options.rows,
      reps: options.reps,
      onRowsPerSecond: Math.round(onRate),
      offRowsPerSecond: Math.round(offRate),
      ratio: onRate / offRate,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    const flags = parseFlags(Deno.args, {
      rows: { type: "string", default: "100000" },
      group: { type: "string", default: "200" },
      reps: { type: "string", default: "8" },
    });
    const cost = await measureSecureDelete({
      rows: parseIntegerFlag("rows", flags.rows, { min: 1 }),
      group: parseIntegerFlag("group", flags.group, { min: 1, max: 100_000 }),
      reps: parseIntegerFlag("reps", flags.reps, { min: 1, max: 1000 }),
    });
    console.log(
      `secure_delete: ${cost.rows} rows × ${cost.reps} runs each: on ${cost.onRowsPerSecond} ` +
        `rows/s, off ${cost.offRowsPerSecond} rows/s (median), on/off = ${cost.ratio.toFixed(3)}`,
    );
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`secure-delete-cost: ${err.message}`);
    Deno.exit(2);
  }
}
