/**
 * Turns validated, named raw features into the model's float input columns
 * (`columns` of the metadata, see `model_meta.ts`):
 *
 * | column                 | value                       | missing (`null` or absent) |
 * | ---------------------- | --------------------------- | -------------------------- |
 * | `{name}`               | the number, as float32      | NaN                        |
 * | `{name, level}`        | 1 when the value is `level` | 0 (every one-hot column)   |
 * | `{name, codes}`        | `codes[value]`              | NaN                        |
 *
 * A level the feature accepts but the columns do not name (seen in the data,
 * not in training) gives 0 in every one-hot column (`pandas.get_dummies` then
 * `reindex(columns, fill_value=0)`) and NaN for an ordinal code
 * (`Series.map(codes)`).
 *
 * Pure and shared by the API, the training and import tasks, the offline
 * scorer and the site: every path encodes features the same way. Written by
 * hand: the encoding is the contract itself, a few lines per column kind.
 *
 * @module
 */
import {
  type ColumnSpec,
  encodingProblems,
  type FeatureSpec,
  type ModelMeta,
  ordinalColumns,
} from "./model_meta.ts";

/** A feature value as the API receives it: `null` means missing. */
export type FeatureValue = number | string | null;

/** Named features of one applicant; an absent key is a missing value too. */
export type Features = Readonly<Record<string, FeatureValue | undefined>>;

/** A model's encoding: its raw features and its tensor columns. */
export type Encoding = Pick<ModelMeta, "features" | "columns">;

/** Encodes rows for one model; build once with {@link createColumnEncoder}. */
export interface ColumnEncoder {
  /** Number of tensor columns. */
  readonly width: number;
  /** Index (in `features`) of the feature each column comes from. */
  readonly featureOfColumn: Int32Array;
  /** One row-major `[rows.length, width]` matrix, the layout of the ONNX input. */
  encode(rows: readonly Features[]): Float32Array;
  /** Writes one row's columns into `out` from `offset`. */
  encodeInto(row: Features, out: Float32Array, offset: number): void;
}

const NUMERIC = 0;
const ONE_HOT = 1;
const ORDINAL = 2;

/**
 * Compiles an encoding. Throws an Error listing every inconsistency between
 * features and columns (see `encodingProblems`).
 */
export function createColumnEncoder(encoding: Encoding): ColumnEncoder {
  const { features, columns } = encoding;
  const problems = encodingProblems(features, columns);
  if (problems.length > 0) throw new Error(`invalid encoding: ${problems.join("; ")}`);
  const index = new Map(features.map((f, i) => [f.name, i]));
  const width = columns.length;
  const kind = new Uint8Array(width);
  const name: string[] = [];
  const level: (string | null)[] = [];
  const codes: (Map<string, number> | null)[] = [];
  const featureOfColumn = new Int32Array(width);
  columns.forEach((c, j) => {
    name.push(c.name);
    featureOfColumn[j] = index.get(c.name)!;
    level.push("level" in c ? c.level : null);
    codes.push("codes" in c ? new Map(Object.entries(c.codes)) : null);
    kind[j] = "level" in c ? ONE_HOT : "codes" in c ? ORDINAL : NUMERIC;
  });
  const encodeInto = (row: Features, out: Float32Array, offset: number) => {
    for (let j = 0; j < width; j++) {
      const v = row[name[j]];
      let x: number;
      if (v === null || v === undefined) {
        x = kind[j] === ONE_HOT ? 0 : NaN;
      } else if (kind[j] === NUMERIC) {
        if (typeof v !== "number") throw new TypeError(`${name[j]}: expected a number`);
        x = v;
      } else if (typeof v !== "string") {
        throw new TypeError(`${name[j]}: expected a level`);
      } else if (kind[j] === ONE_HOT) {
        x = v === level[j] ? 1 : 0;
      } else {
        x = codes[j]!.get(v) ?? NaN;
      }
      out[offset + j] = x;
    }
  };
  return {
    width,
    featureOfColumn,
    encodeInto,
    encode(rows) {
      const out = new Float32Array(rows.length * width);
      for (let r = 0; r < rows.length; r++) encodeInto(rows[r], out, r * width);
      return out;
    },
  };
}

const cache = new WeakMap<object, ColumnEncoder>();

/**
 * Encodes rows with a model's encoding (compiled once per encoding object).
 * Given only feature specs, uses {@link ordinalColumns}: the encoding of
 * models trained here (one column per feature, level index for categoricals).
 */
export function encodeRows(
  encoding: Encoding | readonly FeatureSpec[],
  rows: readonly Features[],
): Float32Array {
  let encoder = cache.get(encoding);
  if (!encoder) {
    encoder = createColumnEncoder(
      Array.isArray(encoding)
        ? { features: encoding, columns: ordinalColumns(encoding) }
        : encoding as Encoding,
    );
    cache.set(encoding, encoder);
  }
  return encoder.encode(rows);
}

/** Levels a categorical feature's columns name, in column order (one-hot levels or code keys). */
export function columnLevels(columns: readonly ColumnSpec[], feature: string): string[] {
  const out: string[] = [];
  for (const c of columns) {
    if (c.name !== feature) continue;
    if ("level" in c) out.push(c.level);
    else if ("codes" in c) out.push(...Object.keys(c.codes));
  }
  return out;
}
