/**
 * The raw features of an imported model, from its tensor columns and a data
 * sample: each feature a column names, in the data file's column order (the
 * order an applicant's record reads in, for the API and the form), with the
 * sample's statistics (range, median or most frequent level, missing rate)
 * and its reason sentence. A categorical feature accepts the levels its
 * columns name plus those seen in the data; the latter are reported, since
 * the model never saw them (every one-hot column 0, or a NaN code).
 *
 * Also the parsers of `--columns` and `--reasons` files, whose errors name
 * the file and the entry.
 *
 * @module
 */
import { z } from "zod";
import {
  type CsvTable,
  FeatureCsvError,
  parseNumericField,
} from "../../api/scoring/feature_csv.ts";
import { columnLevels } from "../../api/scoring/feature_vector.ts";
import {
  columnKind,
  type ColumnSpec,
  ColumnSpecSchema,
  type FeatureSpec,
} from "../../api/scoring/model_meta.ts";
import { median, mode } from "../training/feature_specs.ts";

/** The derived features, and what the caller should know about them. */
export interface DerivedFeatures {
  features: FeatureSpec[];
  /** E.g. levels seen in the data that no column names. */
  warnings: string[];
}

const round6 = (x: number) => Number(x.toFixed(6));

/**
 * Features for `columns` from the sample `table`. Throws an Error naming the
 * feature (or the row and column) when the data cannot supply it.
 */
export function deriveFeatures(
  table: CsvTable,
  columns: readonly ColumnSpec[],
  options: { reasons?: Readonly<Record<string, string>> } = {},
): DerivedFeatures {
  const named = new Set(columns.map((c) => c.name));
  const missing = [...named].filter((n) => !table.columns.includes(n));
  if (missing.length > 0) {
    throw new Error(`the data lacks the column(s) the model reads: ${missing.join(", ")}`);
  }
  const names = table.columns.filter((c) => named.has(c));
  const unknownReasons = Object.keys(options.reasons ?? {}).filter((n) => !names.includes(n));
  if (unknownReasons.length > 0) {
    throw new Error(
      `--reasons names features the model does not read: ${unknownReasons.join(", ")}`,
    );
  }
  const warnings: string[] = [];
  const features = names.map((name): FeatureSpec => {
    const own = columns.filter((c) => c.name === name);
    const raw = table.records.map((r) => r[name] ?? null);
    const present = raw.filter((v): v is string => v !== null);
    const missingRate = round6(raw.length ? 1 - present.length / raw.length : 0);
    const text = options.reasons?.[name];
    const reason = text ? { reason: { text } } : {};
    if (columnKind(own[0]) === "numeric") {
      if (present.length === 0) throw new Error(`feature ${name}: no values in the data`);
      const numbers = raw.flatMap((v, i) => {
        if (v === null) return [];
        try {
          return [parseNumericField(v, { row: i + 1, column: name, line: table.lines[i] })];
        } catch (err) {
          if (!(err instanceof FeatureCsvError)) throw err;
          throw new Error(
            `${err.message}; a column named only by "name" is numeric: give the feature's ` +
              `levels with --columns ({"name": "${name}", "level": …} or "codes")`,
          );
        }
      });
      return {
        name,
        type: "numeric",
        ...reason,
        min: numbers.reduce((a, b) => Math.min(a, b)),
        max: numbers.reduce((a, b) => Math.max(a, b)),
        median: round6(median(numbers)),
        missing_rate: missingRate,
      };
    }
    const listed = columnLevels(columns, name);
    const seen = [...new Set(present)].sort();
    const extra = seen.filter((l) => !listed.includes(l));
    if (extra.length > 0) {
      const what = own.some((c) => "codes" in c) ? "a missing code (NaN)" : "0 in every column";
      warnings.push(
        `${name}: level(s) ${extra.join(", ")} appear in the data but in no column; ` +
          `the API accepts them and encodes them as ${what}`,
      );
    }
    const levels = [...listed, ...extra];
    if (levels.some((l) => l.length === 0)) throw new Error(`feature ${name}: an empty level`);
    return {
      name,
      type: "categorical",
      ...reason,
      levels,
      mode: present.length > 0 ? mode(present) : levels[0],
      missing_rate: missingRate,
    };
  });
  return { features, warnings };
}

/** The default columns: every data column but the target, numeric, in file order. */
export function defaultColumns(table: CsvTable, target: string | undefined): ColumnSpec[] {
  return table.columns.filter((c) => c !== target).map((name) => ({ name }));
}

/** Parses a `--columns` file (a JSON array of column specs). */
export function parseColumnsFile(text: string, source: string): ColumnSpec[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const result = z.array(ColumnSpecSchema).min(1).safeParse(json);
  if (!result.success) {
    const i = result.error.issues[0];
    throw new Error(
      `${source}: entry ${i.path.join(".")}: expected {"name"}, {"name", "level"} or ` +
        `{"name", "codes": {…}} (${i.message})`,
    );
  }
  return result.data;
}

/** Parses a `--reasons` file: `{"feature": "sentence", …}` (or `{"feature": {"text": …}}`). */
export function parseReasonsFile(text: string, source: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const schema = z.record(
    z.string(),
    z.union([z.string().min(1), z.object({ text: z.string().min(1) }).transform((o) => o.text)]),
  );
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new Error(
      `${source}: expected {"feature": "sentence", …}: ${result.error.issues[0].message}`,
    );
  }
  return result.data;
}
