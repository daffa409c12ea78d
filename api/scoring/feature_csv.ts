/**
 * CSV files of applications: reads them into string records and turns a
 * record into named {@link Features} the way the API receives them; writes
 * feature rows back as CSV lines.
 *
 * Conventions (those of R's `write.csv`, the format of the bundled data):
 * a header row names the columns, `NA` or an empty field (quoted or not)
 * means missing, numeric fields are decimal numbers, categorical fields are
 * level strings (quoted or not). Shared by the training task, the offline scorer, the simulator, the
 * drift reference reader and the site: every path reads CSV the same way.
 *
 * @module
 */
import { parse } from "csv-parse/sync";
import type { Features, FeatureValue } from "./feature_vector.ts";
import type { FeatureSpec } from "./model_meta.ts";

/** One CSV data row: column name → field text, `null` when missing. */
export type CsvRecord = Readonly<Record<string, string | null>>;

/** A parsed CSV file. */
export interface CsvTable {
  /** Column names in file order. */
  columns: string[];
  /** Data rows, in file order. */
  records: CsvRecord[];
  /** 1-based line of the file on which each record starts (for error messages). */
  lines: number[];
}

/** The text written for a missing value. */
export const MISSING_TEXT = "NA";

/** A CSV field that cannot become a feature value; the message names row and column. */
export class FeatureCsvError extends Error {
  /** 1-based data row (the first row after the header is row 1). */
  readonly row: number;
  readonly column: string;

  /** Builds the error; `detail` says what is wrong with the field. */
  constructor(where: { row: number; column: string; line?: number }, detail: string) {
    const line = where.line === undefined ? "" : ` (line ${where.line})`;
    super(`row ${where.row}${line}, column "${where.column}": ${detail}`);
    this.name = "FeatureCsvError";
    this.row = where.row;
    this.column = where.column;
  }
}

/** Options for {@link parseCsv}. */
export interface ParseCsvOptions {
  /** Named in parse errors, e.g. the file path. */
  source?: string;
}

interface ParsedRow {
  record: Record<string, string | null>;
  info: { lines: number };
}

/**
 * Parses CSV text with a header row. `NA` and empty fields become `null`;
 * every other field stays text. Throws an Error naming the source on
 * malformed CSV (e.g. a row with the wrong number of fields).
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvTable {
  let columns: string[] = [];
  let rows: ParsedRow[];
  try {
    rows = parse(text, {
      bom: true,
      columns: (header: string[]) => (columns = header.map((h) => h.trim())),
      skip_empty_lines: true,
      info: true,
      cast: (value: string) => (value === "" || value === MISSING_TEXT ? null : value),
    }) as ParsedRow[];
  } catch (err) {
    const source = options.source ? `${options.source}: ` : "";
    throw new Error(`${source}invalid CSV: ${(err as Error).message}`);
  }
  return {
    columns,
    records: rows.map((r) => r.record),
    lines: rows.map((r) => r.info.lines),
  };
}

/** Reads and parses a CSV file (see {@link parseCsv}). */
export async function readCsvFile(path: string): Promise<CsvTable> {
  return parseCsv(await Deno.readTextFile(path), { source: path });
}

/** Throws an Error listing every feature column missing from `columns`. */
export function assertFeatureColumns(
  columns: readonly string[],
  specs: readonly FeatureSpec[],
): void {
  const missing = specs.map((s) => s.name).filter((name) => !columns.includes(name));
  if (missing.length > 0) {
    throw new Error(`CSV lacks feature column(s): ${missing.join(", ")}`);
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a numeric field. Accepts decimal notation only (no hex, no
 * `Infinity`, no blanks), so a typo is an error rather than a silent 0.
 */
export function parseNumericField(
  text: string,
  where: { row: number; column: string; line?: number },
): number {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) {
    throw new FeatureCsvError(where, `expected a number, got ${JSON.stringify(text)}`);
  }
  return Number(trimmed);
}

/** Options for {@link recordToFeatures}. */
export interface RecordToFeaturesOptions {
  /** 1-based data row, for error messages. Default 1. */
  row?: number;
  /** 1-based file line, for error messages. */
  line?: number;
}

/**
 * Converts one record to named features for `specs`: numeric fields become
 * numbers, categorical fields stay strings and must be one of the spec's
 * `levels`, missing fields become `null`. Columns that are not features are
 * ignored. Throws {@link FeatureCsvError} naming the row and the column.
 */
export function recordToFeatures(
  record: CsvRecord,
  specs: readonly FeatureSpec[],
  options: RecordToFeaturesOptions = {},
): Features {
  const out: Record<string, FeatureValue> = {};
  for (const spec of specs) {
    const where = { row: options.row ?? 1, column: spec.name, line: options.line };
    const text = record[spec.name];
    if (text === undefined) throw new FeatureCsvError(where, "column is missing");
    if (text === null) {
      out[spec.name] = null;
    } else if (spec.type === "numeric") {
      out[spec.name] = parseNumericField(text, where);
    } else if (spec.levels.includes(text)) {
      out[spec.name] = text;
    } else {
      throw new FeatureCsvError(
        where,
        `unknown level ${JSON.stringify(text)} (expected one of ${spec.levels.join(", ")})`,
      );
    }
  }
  return out;
}

/** Converts every record of a table (see {@link recordToFeatures}). */
export function tableToFeatures(table: CsvTable, specs: readonly FeatureSpec[]): Features[] {
  assertFeatureColumns(table.columns, specs);
  return table.records.map((record, i) =>
    recordToFeatures(record, specs, { row: i + 1, line: table.lines[i] })
  );
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * Formats one CSV line (without the line break): `null` becomes `NA`, fields
 * with commas, quotes, line breaks or outer blanks are quoted (RFC 4180).
 * Hand-written because these few lines are all the writing the project needs
 * (csv-stringify is not a dependency); {@link parseCsv} reads them back.
 * By the convention above, the strings `"NA"` and `""` read back as missing.
 */
export function formatCsvLine(values: readonly (string | number | null)[]): string {
  return values.map((v) => {
    if (v === null) return MISSING_TEXT;
    const text = String(v);
    return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  }).join(",");
}

/** The CSV fields of named features, in `specs` order (`null` = missing). */
export function featuresToCsvValues(
  features: Features,
  specs: readonly FeatureSpec[],
): (string | number | null)[] {
  return specs.map((spec) => features[spec.name] ?? null);
}
