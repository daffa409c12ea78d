/**
 * The model metadata contract (`artifacts/model_meta.json`): what the scoring
 * path needs to turn named features into the ONNX input tensor, plus the
 * decision threshold and the provenance the monitoring pages show.
 *
 * Written by `deno task train`, read (and validated) by the API at startup.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";

/** File name of the metadata inside an artifacts directory. */
export const META_FILE = "model_meta.json";

/** Human-readable reason text for a feature, used by reason codes. */
export const ReasonTextSchema = z.object({
  /** Sentence shown when this feature pushes the score towards default. */
  text: z.string().min(1),
});

const featureBase = {
  /** Feature name exactly as the API receives it in `features`. */
  name: z.string().min(1),
  /** Short description for API docs and the site. */
  description: z.string().optional(),
  /** Reason-code text shown to an applicant (adverse-action notice). */
  reason: ReasonTextSchema.optional(),
};

/** A numeric feature: one float column, missing values become NaN. */
export const NumericFeatureSchema = z.object({
  ...featureBase,
  type: z.literal("numeric"),
  /** Range seen in training data (informational: out-of-range is allowed). */
  min: z.number(),
  max: z.number(),
  /** Median seen in training: the default the scoring form shows. */
  median: z.number(),
  /** Share of training rows where the value is missing. */
  missing_rate: z.number().min(0).max(1),
});

/**
 * A categorical feature: one float column holding the level's index in
 * `levels` (ordinal encoding); a missing level becomes NaN. Unknown levels are
 * refused by the API.
 */
export const CategoricalFeatureSchema = z.object({
  ...featureBase,
  type: z.literal("categorical"),
  encoding: z.literal("ordinal"),
  levels: z.array(z.string().min(1)).min(1),
  /** Most frequent level in training: the default the scoring form shows. */
  mode: z.string(),
  missing_rate: z.number().min(0).max(1),
});

export const FeatureSpecSchema = z.discriminatedUnion("type", [
  NumericFeatureSchema,
  CategoricalFeatureSchema,
]);

/** Costs of each outcome of a decision, in arbitrary units. */
export const CostMatrixSchema = z.object({
  /** A default that was approved (missed default). */
  false_negative: z.number().nonnegative(),
  /** A good applicant that was rejected. */
  false_positive: z.number().nonnegative(),
  true_positive: z.number().nonnegative(),
  true_negative: z.number().nonnegative(),
});

/** Classification metrics on one labelled data set. */
export const EvalMetricsSchema = z.object({
  n_rows: z.number().int().positive(),
  default_rate: z.number(),
  roc_auc: z.number(),
  brier: z.number(),
  log_loss: z.number(),
  /** Total business cost at the threshold. */
  cost: z.number(),
  /** Share of rows flagged (rejected) at the threshold. */
  flagged_rate: z.number(),
}).passthrough();

export const ModelMetaSchema = z.object({
  schema_version: z.literal(1),
  /** Content hash of the model: changes whenever the model changes. */
  model_version: z.string().min(1),
  /** Short name of the model family, e.g. "gbdt". */
  model_type: z.string().min(1),
  onnx: z.object({
    file: z.string().min(1),
    input_name: z.string().min(1),
    /** Output holding probabilities, shape [N, 2] (column 1 = default). */
    output_name: z.string().min(1),
    output_column: z.number().int().nonnegative(),
    /** sha256 of the ONNX file, hex. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  /** Features in ONNX input-column order. */
  features: z.array(FeatureSpecSchema).min(1),
  target: z.object({
    name: z.string(),
    positive_label: z.string(),
    negative_label: z.string(),
  }),
  /** Reject when proba_default >= threshold. */
  threshold: z.number().gt(0).lt(1),
  cost_matrix: CostMatrixSchema,
  training: z.record(z.string(), z.unknown()),
  dataset: z.record(z.string(), z.unknown()),
  metrics: z.object({
    test: EvalMetricsSchema,
  }).catchall(EvalMetricsSchema),
});

export type ReasonText = z.infer<typeof ReasonTextSchema>;
export type NumericFeature = z.infer<typeof NumericFeatureSchema>;
export type CategoricalFeature = z.infer<typeof CategoricalFeatureSchema>;
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;
export type CostMatrix = z.infer<typeof CostMatrixSchema>;
export type EvalMetrics = z.infer<typeof EvalMetricsSchema>;
export type ModelMeta = z.infer<typeof ModelMetaSchema>;

/**
 * Validates parsed metadata JSON. Throws an Error whose message names the
 * source and every invalid field, for a start-up failure a person can fix.
 */
export function parseModelMeta(json: unknown, source: string): ModelMeta {
  const result = ModelMetaSchema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("\n");
  throw new Error(`${source}: invalid model metadata\n${problems}`);
}

/** A feature's typical training value: the median, or the most frequent level. */
export function typicalValue(spec: FeatureSpec): number | string {
  return spec.type === "numeric" ? spec.median : spec.mode;
}

/** A typical applicant: every feature at its typical value (examples, warm-up, form defaults). */
export function typicalApplicant(
  meta: Pick<ModelMeta, "features">,
): Record<string, number | string> {
  return Object.fromEntries(meta.features.map((f) => [f.name, typicalValue(f)]));
}

/**
 * A decision on one application, as the seed's scoring contract defines it:
 * 1 = predicted default (reject), 0 = approve.
 */
export type Decision = 0 | 1;

/** The word for a decision, for people: `reject` (1) or `approve` (0). */
export type DecisionLabel = "approve" | "reject";

/** Reject (1) when the probability reaches the threshold. */
export function decide(probaDefault: number, threshold: number): Decision {
  return probaDefault >= threshold ? 1 : 0;
}

/** The word for a decision. */
export function decisionLabel(decision: Decision): DecisionLabel {
  return decision === 1 ? "reject" : "approve";
}

/** Reads a file of an artifacts directory; the Error names the file and the problem. */
export async function readArtifact(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    const reason = err instanceof Deno.errors.NotFound ? "file not found" : String(err);
    throw new Error(`cannot read model artifact ${path}: ${reason}`);
  }
}

/** Reads and validates `model_meta.json` from an artifacts directory. */
export async function readModelMeta(artifactsDir: string): Promise<ModelMeta> {
  const path = join(artifactsDir, META_FILE);
  const text = new TextDecoder().decode(await readArtifact(path));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return parseModelMeta(json, path);
}
