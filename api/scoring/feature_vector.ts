/**
 * Turns validated, named features into the model's float input columns.
 *
 * Pure and shared by the API, the training task (export parity), the offline
 * scorer and the site: every path encodes features the same way.
 *
 * @module
 */
import type { FeatureSpec } from "./model_meta.ts";

/** A feature value as the API receives it: `null` means missing. */
export type FeatureValue = number | string | null;

/** Named features of one applicant; an absent key is a missing value too. */
export type Features = Readonly<Record<string, FeatureValue | undefined>>;

/**
 * Encodes one feature value to its float column. Missing (`null` or absent)
 * becomes NaN, which the tree ensemble routes along each split's learned
 * default direction. Categorical levels become their index in `levels`.
 * Callers validate first; an unknown level here is a programming error.
 */
export function encodeValue(spec: FeatureSpec, value: FeatureValue | undefined): number {
  if (value === null || value === undefined) return NaN;
  if (spec.type === "numeric") {
    if (typeof value !== "number") throw new TypeError(`${spec.name}: expected a number`);
    return value;
  }
  const index = spec.levels.indexOf(String(value));
  if (index < 0) throw new RangeError(`${spec.name}: unknown level ${JSON.stringify(value)}`);
  return index;
}

/**
 * Writes the encoded rows into one row-major `[rows.length, specs.length]`
 * matrix, the layout of the ONNX input tensor.
 */
export function encodeRows(
  specs: readonly FeatureSpec[],
  rows: readonly Features[],
): Float32Array {
  const width = specs.length;
  const out = new Float32Array(rows.length * width);
  rows.forEach((row, r) => {
    specs.forEach((spec, c) => {
      out[r * width + c] = encodeValue(spec, row[spec.name]);
    });
  });
  return out;
}

/** Inverse of {@link encodeValue}, for showing a model column as a feature value. */
export function decodeValue(spec: FeatureSpec, encoded: number): FeatureValue {
  if (Number.isNaN(encoded)) return null;
  return spec.type === "numeric" ? encoded : spec.levels[encoded] ?? null;
}
