/**
 * Request and response schemas of the scoring routes, generated from the
 * model metadata so that validation, the OpenAPI document and the model's
 * feature list can never disagree.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import {
  type FeatureSpec,
  type ModelMeta,
  typicalApplicant,
  typicalValue,
} from "../scoring/model_meta.ts";
import { reasonText } from "../scoring/reason_codes.ts";

/** Options for {@link buildSchemas}. */
export interface SchemaOptions {
  /** Strict input: every feature key must be present (null still means missing). */
  strict: boolean;
  maxBatchRows: number;
}

function featureSchema(spec: FeatureSpec, strict: boolean) {
  const base = spec.type === "numeric" ? z.number() : z.enum(spec.levels as [string, ...string[]]);
  const nullable = base.nullable();
  const described = (strict ? nullable : nullable.optional()).openapi({
    description: [
      spec.description,
      spec.type === "numeric"
        ? `Number (training range ${spec.min}–${spec.max}).`
        : `One of: ${spec.levels.join(", ")}.`,
      "null = missing value.",
    ].filter(Boolean).join(" "),
    example: typicalValue(spec),
  });
  return described;
}

/** Builds every schema of the scoring routes for one model and input mode. */
export function buildSchemas(meta: ModelMeta, options: SchemaOptions) {
  const example = typicalApplicant(meta);
  const Features = z.object(
    Object.fromEntries(meta.features.map((f) => [f.name, featureSchema(f, options.strict)])),
  ).strict().openapi("Features", {
    description: options.strict
      ? "All model features. Every key is required; use null for a missing value."
      : "Model features. An absent key or null is a missing value.",
    example,
  });

  const explain = z.boolean().optional().openapi({
    description: "Return (and log) up to 4 reason codes per row. Same as the query ?explain=1.",
  });

  const PredictRequest = z.object({ features: Features, explain }).strict().openapi(
    "PredictRequest",
    { example: { features: example } },
  );

  const PredictBatchRequest = z.object({
    rows: z.array(Features).min(1).max(options.maxBatchRows).openapi({
      description: `1 to ${options.maxBatchRows} rows of features.`,
    }),
    explain,
  }).strict().openapi("PredictBatchRequest", { example: { rows: [example, example] } });

  const explained = meta.features.find((f) => f.reason) ?? meta.features[0];
  const r = meta.reasons;
  const units = r.method === "none" || r.units === "log_odds"
    ? "the log-odds of default"
    : "the probability of default";
  const method = r.method === "tree_shap"
    ? "Exact TreeSHAP contribution"
    : r.method === "linear"
    ? "Exact contribution of the linear model"
    : "Sampling Shapley estimate of the contribution";
  const ReasonCode = z.object({
    feature: z.string().openapi({ example: explained.name }),
    contribution: z.number().openapi({
      description: `${method} to ${units} (> 0: towards default).`,
      example: 0.42,
    }),
    value: z.union([z.number(), z.string(), z.null()]).openapi({
      description: "The applicant's value; null when missing.",
    }),
    reason: z.string().openapi({ example: reasonText(explained) }),
  }).openapi("ReasonCode");

  const Prediction = z.object({
    request_id: z.string().openapi({ example: "5b0e7c0e-3f3a-4d5e-9d4c-3f0a1b2c3d4e" }),
    proba_default: z.number().min(0).max(1).openapi({
      description: "Probability that the applicant defaults.",
      example: 0.21,
    }),
    threshold: z.number().openapi({ example: meta.threshold }),
    decision: z.union([z.literal(0), z.literal(1)]).openapi({
      description: "1 = predicted default (reject): proba_default >= threshold; 0 = approve.",
      example: 0,
    }),
    decision_label: z.enum(["approve", "reject"]).openapi({
      description: "The decision in words: reject (1) or approve (0).",
    }),
    model_version: z.string().openapi({ example: meta.model_version }),
    latency_ms: z.number().openapi({
      description: "Server time for validation, scoring and the durable log write.",
      example: 0.8,
    }),
    reasons: z.array(ReasonCode).max(4).optional().openapi({
      description: r.method === "none"
        ? `Never present: this model gives no reason codes (${r.statement}).`
        : "With explain: the (up to 4) features pushing most towards default, largest " +
          "first. Empty when nothing pushes towards default.",
    }),
    reasons_unavailable: z.string().optional().openapi({
      description: "With explain, when the model gives no reason codes: why.",
    }),
  }).openapi("Prediction");

  const PredictBatchResponse = z.object({
    n_rows: z.number().int(),
    items: z.array(Prediction),
  }).openapi("PredictBatchResponse");

  return { Features, PredictRequest, PredictBatchRequest, Prediction, PredictBatchResponse };
}

/** The schemas built by {@link buildSchemas}. */
export type Schemas = ReturnType<typeof buildSchemas>;
