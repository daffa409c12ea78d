/**
 * The "score an applicant" form: default values from the model metadata
 * (numeric `median`, categorical `mode`), and the submitted form turned into
 * the API's features, validated by the same schema as `POST /predict`
 * (strict: every feature present, `null` = missing).
 *
 * @module
 */
import type { Features, FeatureValue } from "../../api/scoring/feature_vector.ts";
import { type ModelMeta, typicalApplicant, typicalValue } from "../../api/scoring/model_meta.ts";
import { buildSchemas } from "../../api/http/schemas.ts";
import { toFieldErrors } from "../../api/http/validation_errors.ts";

/** Field text per feature name, as shown in (or submitted by) the form. */
export type FormValues = Record<string, string>;

/** The form's default values: the typical applicant (median / mode of the training data). */
export function defaultFormValues(meta: ModelMeta): FormValues {
  return Object.fromEntries(
    Object.entries(typicalApplicant(meta)).map(([name, value]) => [name, String(value)]),
  );
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The parsed form: features when valid, else a message per feature name. */
export type ParsedForm =
  | { ok: true; features: Features; values: FormValues }
  | { ok: false; errors: Record<string, string>; values: FormValues };

/**
 * Parses submitted fields: empty = missing (`null`); numeric text must be a
 * decimal number; categorical text must be a level (checked by the API
 * schema, with the API's messages). Unknown form fields are ignored.
 */
export function createFormParser(meta: ModelMeta): (body: Record<string, unknown>) => ParsedForm {
  // The request schema of POST /predict, so the form's messages are the API's.
  const { PredictRequest: schema } = buildSchemas(meta, { strict: true, maxBatchRows: 1 });
  return (body) => {
    const values: FormValues = {};
    const features: Record<string, FeatureValue> = {};
    const errors: Record<string, string> = {};
    for (const f of meta.features) {
      const raw = body[f.name];
      const text = typeof raw === "string" ? raw.trim() : "";
      values[f.name] = text;
      if (text === "") features[f.name] = null;
      else if (f.type === "numeric") {
        if (NUMBER.test(text)) features[f.name] = Number(text);
        else {errors[f.name] = `expected a number (e.g. ${
            typicalValue(f)
          }), or leave it empty if missing`;}
      } else features[f.name] = text;
    }
    if (Object.keys(errors).length > 0) return { ok: false, errors, values };
    const request = { features };
    const result = schema.safeParse(request);
    if (!result.success) {
      for (const e of toFieldErrors(result.error.issues, request)) {
        const name = (e.pointer ?? "").replace(/^\/features\//, "");
        errors[name.replaceAll("~1", "/").replaceAll("~0", "~")] = e.detail;
      }
      return { ok: false, errors, values };
    }
    return { ok: true, features: result.data.features as Features, values };
  };
}
