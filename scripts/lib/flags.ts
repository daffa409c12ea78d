/**
 * Helpers shared by the command-line tasks (`deno task drift`, `simulate`,
 * `score-file`, `forget`, `bench`, …): strict flag parsing, a usage error type
 * and strict parsers for flag values, each failing with a one-line message
 * that names the flag.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** Bad command-line usage: the task prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses `args` strictly against `options` (no positionals, no unknown
 * flags); a mistake becomes a one-line {@link UsageError}.
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
) {
  try {
    return parseArgs({ args: [...args], strict: true, allowPositionals: false, options }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]);
  }
}

/** Parses an integer flag value within [min, max]. */
export function parseIntegerFlag(
  flag: string,
  text: string,
  range: { min: number; max?: number },
): number {
  const value = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : NaN;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value < range.min || value > max) {
    const bounds = range.max === undefined ? `≥ ${range.min}` : `${range.min}..${range.max}`;
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: expected an integer ${bounds}`);
  }
  return value;
}

/** Parses a finite number flag value in `[min, max]` (`max` defaults to no bound). */
export function parseNumberFlag(
  flag: string,
  text: string,
  range: { min: number; max?: number },
): number {
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  const max = range.max ?? Infinity;
  if (!(value >= range.min && value <= max)) {
    const bounds = range.max === undefined ? `≥ ${range.min}` : `in ${range.min}..${range.max}`;
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: expected a number ${bounds}`);
  }
  return value;
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** True for a real `YYYY-MM-DD` day (`Date.parse` rolls 2025-02-30 over to March). */
function isCalendarDate(ymd: string): boolean {
  const [y, m, d] = ymd.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Parses an ISO 8601 timestamp flag: a date (`2025-01-31`, UTC midnight) or a
 * date-time with an explicit zone (`2025-01-31T12:00:00Z`, `…+01:00`).
 * Returns it as the store writes `ts_utc` (`toISOString()`, UTC, milliseconds),
 * so string comparisons in SQL are time comparisons.
 */
export function parseTimestampFlag(flag: string, text: string): string {
  const time = ISO.test(text) && isCalendarDate(text.slice(0, 10)) ? Date.parse(text) : NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(
      `--${flag} ${JSON.stringify(text)}: expected an ISO 8601 date or date-time with zone, ` +
        "e.g. 2025-01-31 or 2025-01-31T12:00:00Z",
    );
  }
  return new Date(time).toISOString();
}

/** Parses a flag value that must be one of `choices`. */
export function parseChoiceFlag<const C extends string>(
  flag: string,
  text: string,
  choices: readonly C[],
): C {
  const found = choices.find((c) => c === text);
  if (found === undefined) {
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: expected ${choices.join(", ")}`);
  }
  return found;
}

/** Parses repeated `--<flag> KEY=VALUE` values into one record. */
export function parseKeyValueFlags(flag: string, pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${flag} ${JSON.stringify(pair)}: expected KEY=VALUE`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
