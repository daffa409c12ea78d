/**
 * The model metadata contract (`model_meta.json` in an artifacts directory):
 * everything that varies per model and that serving, monitoring and the site
 * need — the raw features the API accepts, how they become the ONNX input
 * tensor, which output holds the probability, how reason codes are computed,
 * the reference sample, the threshold and where the model came from.
 *
 * Written by `deno task train` and `deno task import-model`, read (and
 * validated) by `loadModel` at start-up. Pure: no onnxruntime, no I/O beyond
 * reading the file.
 *
 * ## Schema version 2
 *
 * - `features`: the **raw** features, in API order: what `POST /predict`
 *   takes (`"sub_grade": "C4"`), with their training statistics (range,
 *   median or mode, missing rate) and reason sentence.
 * - `columns`: the tensor's columns in order, as data scientists encode them:
 *   `{name}` numeric (missing → NaN), `{name, level}` one-hot (1 when the
 *   feature equals the level; every column of the feature is 0 when it is
 *   missing or takes a level without a column, as `pandas.get_dummies` +
 *   `reindex` does), `{name, codes}` ordinal code (missing, or a level without
 *   a code → NaN, as `Series.map` does). Encodings live here rather than in
 *   `features` because one feature may own several columns and the columns of
 *   different features may interleave.
 * - `onnx`: the model file and its external data files (each with sha256:
 *   a model and its weights never get separated or mixed), the input, the
 *   output and the probability column.
 * - `reasons`: how reason codes are computed — `tree_shap` (exact, covers in
 *   the file's `nodes_hitrates` or a covers file), `linear` (exact, the affine
 *   model in log-odds), `sampling` (permutation Shapley values against rows of
 *   the reference sample), or `none` with a sentence saying why.
 * - `reference`: the drift reference sample file, in the artifacts directory.
 * - `provenance`: trained here, or imported from ONNX or XGBoost JSON, with
 *   the converter's facts.
 *
 * Version 1 (written by earlier `deno task train`: one ordinal column per
 * feature, the reference sample elsewhere) is still read: {@link upgradeMetaV1}
 * turns it into version 2, so an artifacts directory deployed before keeps
 * starting. Nothing writes version 1 any more.
 *
 * @module
 */
import { join } from "node:path";
import { z } from "zod";

/** File name of the metadata inside an artifacts directory. */
export const META_FILE = "model_meta.json";

/** File name of the generated model card inside an artifacts directory. */
export const MODEL_CARD_FILE = "MODEL_CARD.md";

/** File name of the drift reference sample inside an artifacts directory. */
export const REFERENCE_FILE = "reference_sample.csv";

/** The schema version this module writes. */
export const SCHEMA_VERSION = 2;

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

/** A numeric feature. */
export const NumericFeatureSchema = z.object({
  ...featureBase,
  type: z.literal("numeric"),
  /** Range seen in the data (informational: out-of-range is allowed). */
  min: z.number(),
  max: z.number(),
  /** Median seen in the data: the default the scoring form shows. */
  median: z.number(),
  /** Share of rows where the value is missing. */
  missing_rate: z.number().min(0).max(1),
});

/** A categorical feature: the API accepts exactly `levels` (and null = missing). */
export const CategoricalFeatureSchema = z.object({
  ...featureBase,
  type: z.literal("categorical"),
  levels: z.array(z.string().min(1)).min(1),
  /** Most frequent level in the data: the default the scoring form shows. */
  mode: z.string(),
  missing_rate: z.number().min(0).max(1),
});

export const FeatureSpecSchema = z.discriminatedUnion("type", [
  NumericFeatureSchema,
  CategoricalFeatureSchema,
]);

/** One column of the input tensor (see the module comment). */
export const ColumnSpecSchema = z.union([
  z.object({ name: z.string().min(1), codes: z.record(z.string(), z.number()) }).strict(),
  z.object({ name: z.string().min(1), level: z.string() }).strict(),
  z.object({ name: z.string().min(1) }).strict(),
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

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** A file of the artifacts directory: a relative path that stays inside it. */
const artifactFile = z.string().min(1).refine(
  (p) => !p.startsWith("/") && !p.split(/[\\/]/).includes("..") && !/^[a-zA-Z]:/.test(p),
  "must be a relative path inside the artifacts directory",
);

/** The ONNX model and how to read it. */
export const OnnxSpecSchema = z.object({
  file: artifactFile,
  /** sha256 of the ONNX file, hex. */
  sha256,
  /** Files holding external tensor data (`location` in the model = `file`). */
  external_data: z.array(z.object({ file: artifactFile, sha256 })).default([]),
  input_name: z.string().min(1),
  /** Output holding the probability (rank 1 or 2). */
  output_name: z.string().min(1),
  /** Column of that output holding the probability of the positive class. */
  output_column: z.number().int().nonnegative(),
});

/** What the contributions add up to: log-odds, or the probability itself. */
export const ReasonUnitsSchema = z.enum(["log_odds", "probability"]);

/** Exact path-dependent TreeSHAP over one tree-ensemble node of the graph. */
export const TreeShapReasonsSchema = z.object({
  method: z.literal("tree_shap"),
  units: ReasonUnitsSchema,
  /** Name of the `TreeEnsembleRegressor`/`TreeEnsembleClassifier` node. */
  node: z.string(),
  /** The margin: leaf weights of these target/class ids, minus those of `minus`. */
  plus: z.array(z.number().int().nonnegative()).min(1),
  minus: z.array(z.number().int().nonnegative()).default([]),
  /** Node covers: the file's `nodes_hitrates`, or a JSON file (one array per tree). */
  covers: z.union([
    z.object({ source: z.literal("onnx_hitrates"), note: z.string().optional() }),
    z.object({
      source: z.literal("file"),
      file: artifactFile,
      sha256,
      note: z.string().optional(),
    }),
  ]),
});

/** Exact contributions of an affine model in log-odds. */
export const LinearReasonsSchema = z.object({
  method: z.literal("linear"),
  units: z.literal("log_odds"),
  /** log-odds = intercept + Σ weights[j] · filled(x_j), per tensor column. */
  intercept: z.number(),
  weights: z.array(z.number()),
  /** Value replacing a missing (NaN) column; null: the column is never missing. */
  fill: z.array(z.number().nullable()),
  /** Reference-sample mean of each filled column: contributions are w·(x − mean). */
  means: z.array(z.number()),
});

/** Permutation-sampling Shapley values against background rows of the reference sample. */
export const SamplingReasonsSchema = z.object({
  method: z.literal("sampling"),
  units: ReasonUnitsSchema,
  /** Permutations per explained row (antithetic pairs). */
  permutations: z.number().int().min(2),
  /** 0-based rows of the reference sample used as background. */
  background_rows: z.array(z.number().int().nonnegative()).min(1),
  seed: z.number().int(),
  /** Model evaluations per explained row. */
  evaluations_per_row: z.number().int().positive(),
});

/** No reason codes, and why. */
export const NoReasonsSchema = z.object({
  method: z.literal("none"),
  statement: z.string().min(1),
});

export const ReasonsSpecSchema = z.discriminatedUnion("method", [
  TreeShapReasonsSchema,
  LinearReasonsSchema,
  SamplingReasonsSchema,
  NoReasonsSchema,
]);

/** Where a model came from. */
export const ProvenanceSchema = z.object({
  source: z.enum(["trained", "onnx", "xgboost"]),
}).passthrough();

export const TargetSchema = z.object({
  name: z.string(),
  positive_label: z.string(),
  negative_label: z.string(),
});

const metaBase = {
  /** Content hash of the model: changes whenever the model changes. */
  model_version: z.string().min(1),
  /** Short name of the model family, e.g. "gbdt". */
  model_type: z.string().min(1),
  target: TargetSchema.nullable(),
  /** Reject when proba_default >= threshold. */
  threshold: z.number().gt(0).lt(1),
  cost_matrix: CostMatrixSchema,
  training: z.record(z.string(), z.unknown()),
  dataset: z.record(z.string(), z.unknown()),
  /** `test`: held-out metrics (absent when the model came without labelled data). */
  metrics: z.object({ test: EvalMetricsSchema.optional() }).catchall(EvalMetricsSchema),
};

export const ModelMetaSchema = z.object({
  schema_version: z.literal(2),
  ...metaBase,
  /** What the model is, in a few words (the model card's title). */
  name: z.string().min(1),
  /** Raw features, in API order. */
  features: z.array(FeatureSpecSchema).min(1),
  /** The input tensor's columns, in order. */
  columns: z.array(ColumnSpecSchema).min(1),
  onnx: OnnxSpecSchema,
  reasons: ReasonsSpecSchema,
  reference: z.object({
    file: artifactFile,
    rows: z.number().int().nonnegative(),
    /** How the reference scores were made (out-of-fold, or by the model itself). */
    scores: z.string(),
  }),
  provenance: ProvenanceSchema,
}).superRefine((meta, ctx) => {
  for (const problem of encodingProblems(meta.features, meta.columns)) {
    ctx.addIssue({ code: "custom", path: ["columns"], message: problem });
  }
  const width = meta.columns.length;
  const r = meta.reasons;
  if (r.method === "linear") {
    for (const key of ["weights", "fill", "means"] as const) {
      if (r[key].length !== width) {
        ctx.addIssue({
          code: "custom",
          path: ["reasons", key],
          message: `${r[key].length} entries for ${width} columns`,
        });
      }
    }
  }
});

const V1FeatureSchema = z.discriminatedUnion("type", [
  NumericFeatureSchema,
  CategoricalFeatureSchema.extend({ encoding: z.literal("ordinal") }),
]);

/** Schema version 1 (read only; see {@link upgradeMetaV1}). */
export const ModelMetaV1Schema = z.object({
  schema_version: z.literal(1),
  ...metaBase,
  target: TargetSchema,
  onnx: z.object({
    file: artifactFile,
    input_name: z.string().min(1),
    output_name: z.string().min(1),
    output_column: z.number().int().nonnegative(),
    sha256,
  }),
  features: z.array(V1FeatureSchema).min(1),
});

export type ReasonText = z.infer<typeof ReasonTextSchema>;
export type NumericFeature = z.infer<typeof NumericFeatureSchema>;
export type CategoricalFeature = z.infer<typeof CategoricalFeatureSchema>;
export type FeatureSpec = z.infer<typeof FeatureSpecSchema>;
export type ColumnSpec = z.infer<typeof ColumnSpecSchema>;
export type CostMatrix = z.infer<typeof CostMatrixSchema>;
export type EvalMetrics = z.infer<typeof EvalMetricsSchema>;
export type OnnxSpec = z.infer<typeof OnnxSpecSchema>;
export type ReasonsSpec = z.infer<typeof ReasonsSpecSchema>;
export type ReasonMethod = ReasonsSpec["method"];
export type ReasonUnits = z.infer<typeof ReasonUnitsSchema>;
export type Provenance = z.infer<typeof ProvenanceSchema>;
export type Target = z.infer<typeof TargetSchema>;
export type ModelMeta = z.infer<typeof ModelMetaSchema>;
export type ModelMetaV1 = z.infer<typeof ModelMetaV1Schema>;

/** What kind of column a column spec is. */
export function columnKind(column: ColumnSpec): "numeric" | "one_hot" | "ordinal" {
  if ("codes" in column) return "ordinal";
  if ("level" in column) return "one_hot";
  return "numeric";
}

/** A column as a person reads it: `Income`, `Home=rent`, `sub_grade (codes)`. */
export function columnLabel(column: ColumnSpec): string {
  if ("level" in column) return `${column.name}=${column.level}`;
  if ("codes" in column) return `${column.name} (codes)`;
  return column.name;
}

/**
 * Every inconsistency between features and columns, as sentences (empty when
 * they agree): each column names a feature of the matching type, each feature
 * has columns (one numeric column; one ordinal column or one-hot columns of
 * distinct known levels), and no column repeats.
 */
export function encodingProblems(
  features: readonly FeatureSpec[],
  columns: readonly ColumnSpec[],
): string[] {
  const problems: string[] = [];
  const byName = new Map(features.map((f) => [f.name, f]));
  if (byName.size !== features.length) problems.push("feature names repeat");
  const seen = new Set<string>();
  const kinds = new Map<string, string[]>();
  columns.forEach((column, i) => {
    const label = columnLabel(column);
    const feature = byName.get(column.name);
    if (seen.has(label)) problems.push(`column ${i} (${label}) repeats an earlier column`);
    seen.add(label);
    const kind = columnKind(column);
    kinds.set(column.name, [...(kinds.get(column.name) ?? []), kind]);
    if (!feature) {
      problems.push(`column ${i} (${label}) names no feature`);
    } else if ((kind === "numeric") !== (feature.type === "numeric")) {
      problems.push(
        `column ${i} (${label}) is ${kind} but feature ${column.name} is ${feature.type}`,
      );
    } else if (feature.type === "categorical") {
      const levels = "level" in column
        ? [column.level]
        : "codes" in column
        ? Object.keys(column.codes)
        : [];
      const unknown = levels.filter((l) => !feature.levels.includes(l));
      if (unknown.length > 0) {
        problems.push(
          `column ${i} (${label}) names levels the feature lacks: ${unknown.join(", ")}`,
        );
      }
    }
  });
  for (const f of features) {
    const k = kinds.get(f.name) ?? [];
    if (k.length === 0) problems.push(`feature ${f.name} has no column`);
    else if (f.type === "numeric" && k.length > 1) {
      problems.push(`numeric feature ${f.name} has ${k.length} columns`);
    } else if (k.includes("ordinal") && k.length > 1) {
      problems.push(`feature ${f.name} mixes an ordinal column with other columns`);
    }
  }
  return problems;
}

/**
 * The columns of a model trained here: one column per feature, numeric as is,
 * categorical as the level's index in `levels` (the learner's encoding).
 */
export function ordinalColumns(features: readonly FeatureSpec[]): ColumnSpec[] {
  return features.map((f) =>
    f.type === "numeric"
      ? { name: f.name }
      : { name: f.name, codes: Object.fromEntries(f.levels.map((l, i) => [l, i])) }
  );
}

/** Version 1 metadata as version 2 (same model, same encoding, same scores). */
export function upgradeMetaV1(v1: ModelMetaV1): ModelMeta {
  const features: FeatureSpec[] = v1.features.map((f) => {
    if (f.type === "numeric") return f;
    const { encoding: _encoding, ...rest } = f;
    return rest;
  });
  return {
    schema_version: 2,
    model_version: v1.model_version,
    model_type: v1.model_type,
    name: `${v1.model_type} model`,
    features,
    columns: ordinalColumns(features),
    onnx: { ...v1.onnx, external_data: [] },
    reasons: {
      method: "tree_shap",
      units: "log_odds",
      node: "",
      plus: [0],
      minus: [],
      covers: { source: "onnx_hitrates" },
    },
    reference: { file: REFERENCE_FILE, rows: 0, scores: "out_of_fold" },
    provenance: { source: "trained", upgraded_from_schema_version: 1 },
    target: v1.target,
    threshold: v1.threshold,
    cost_matrix: v1.cost_matrix,
    training: v1.training,
    dataset: v1.dataset,
    metrics: v1.metrics,
  };
}

function invalid(source: string, issues: readonly z.core.$ZodIssue[]): Error {
  const problems = issues
    .map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("\n");
  return new Error(`${source}: invalid model metadata\n${problems}`);
}

/**
 * Validates parsed metadata JSON (version 2, or version 1 upgraded). Throws
 * an Error whose message names the source and every invalid field, for a
 * start-up failure a person can fix.
 */
export function parseModelMeta(json: unknown, source: string): ModelMeta {
  const version = (json as { schema_version?: unknown } | null)?.schema_version;
  if (version === 1) {
    const v1 = ModelMetaV1Schema.safeParse(json);
    if (!v1.success) throw invalid(source, v1.error.issues);
    return upgradeMetaV1(v1.data);
  }
  const result = ModelMetaSchema.safeParse(json);
  if (result.success) return result.data;
  throw invalid(source, result.error.issues);
}

/** A feature's typical value: the median, or the most frequent level. */
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
