/**
 * `deno task import-model` without the command line: a model file (ONNX, or
 * XGBoost JSON converted here) plus a data sample become one self-contained
 * artifacts directory that `ARTIFACTS_DIR=DIR deno task start` serves:
 *
 * 1. **Encoding**: the tensor's columns (`--columns`, or the data's columns
 *    as numbers) and the raw features with the sample's statistics.
 * 2. **Model**: XGBoost JSON → `TreeEnsembleRegressor` + `Sigmoid` (covers
 *    from `sum_hessian`); ONNX → the input and the probability output chosen
 *    and checked on the sample (`onnx_io.ts`), the output made a graph output
 *    when it is not one (the ZipMap case; the only change ever made to the
 *    user's bytes, see `onnx_graph.ts`), external data files copied along.
 * 3. **Parity**: the sample scored by the service's runtime (onnxruntime-web),
 *    compared with native onnxruntime when available, and for XGBoost with its
 *    prediction rule walked in float32.
 * 4. **Threshold and metrics**: `--threshold`, or the cost-minimising one on
 *    the labelled sample, with the sample's metrics.
 * 5. **Reasons**: exact TreeSHAP or linear contributions when the graph
 *    allows and they reproduce the served probabilities (`reason_fit.ts`),
 *    else sampling Shapley values against the reference sample — or none,
 *    said plainly, when that costs more than the budget per row. The cost per
 *    row is measured on the reference sample, and additivity checked.
 * 6. **Files**: model, external data, covers, `model_meta.json`,
 *    `MODEL_CARD.md`, `reference_sample.csv` (the sample scored by the model,
 *    with its target) — then the directory is loaded back with `loadModel`
 *    and must score the sample exactly as before.
 *
 * @module
 */
import { basename, dirname, isAbsolute, join, normalize } from "node:path";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { mersenne } from "pure-rand/generator/mersenne";
import { type CsvTable, readCsvFile, tableToFeatures } from "../../api/scoring/feature_csv.ts";
import { createColumnEncoder, type Features } from "../../api/scoring/feature_vector.ts";
import { loadModel } from "../../api/scoring/model.ts";
import {
  columnLabel,
  type ColumnSpec,
  type CostMatrix,
  type EvalMetrics,
  META_FILE,
  MODEL_CARD_FILE,
  type ReasonsSpec,
  REFERENCE_FILE,
  SCHEMA_VERSION,
} from "../../api/scoring/model_meta.ts";
import { appendGraphOutputs, inspectOnnx, type OnnxSummary } from "../../api/scoring/onnx_graph.ts";
import {
  checkProbabilities,
  chooseColumn,
  chooseInput,
  ImportRefusal,
  outputCandidates,
} from "../../api/scoring/onnx_io.ts";
import { createOnnxScorer, type OnnxScorer } from "../../api/scoring/onnx_session.ts";
import { encodeEnsemble, ONNX_IO, TREE_NODE_NAME } from "../../api/scoring/onnx_tree_codec.ts";
import { createExplainer, type Explainer } from "../../api/scoring/reason_codes.ts";
import { fitLinearReasons, fitTreeReasons } from "../../api/scoring/reason_fit.ts";
import { evaluationsPerRow, toUnits } from "../../api/scoring/sampling_shapley.ts";
import { predictProba } from "../../api/scoring/tree_ensemble.ts";
import {
  convertXgboostJson,
  type XgboostFacts,
  XgboostRefusal,
} from "../../api/scoring/xgboost_json.ts";
import { evaluateClassifier, positiveRate } from "../../monitoring/classification_metrics.ts";
import { referenceSampleCsv } from "../../monitoring/reference_sample.ts";
import type { NativeScorer } from "../lib/native_ort.ts";
import {
  metaJson,
  roundNumbers,
  sha256Hex,
  versionedMeta,
} from "../training/model_meta_builder.ts";
import { chooseThreshold, type ThresholdDecision } from "../training/threshold.ts";
import { renderImportCard } from "./model_card.ts";
import type { ImportReport } from "./report.ts";
import {
  defaultColumns,
  deriveFeatures,
  parseColumnsFile,
  parseReasonsFile,
} from "./raw_features.ts";

export { ImportRefusal, XgboostRefusal };
export type { ImportReport };

/** File names inside the artifacts directory. */
export const IMPORT_FILES = { model: "model.onnx", covers: "tree_covers.json" } as const;

/** Most rows kept in the reference sample (a seeded subset of larger samples, in file order). */
export const REFERENCE_MAX_ROWS = 20_000;

/** Sampling Shapley: background rows and permutations per explained row. */
export const SAMPLING = { background: 32, permutations: 8, seed: 13 } as const;

/** Above this cost per explained row, sampling gives way to "no reasons" (ms). */
export const SAMPLING_BUDGET_MS = 250;

/** What to import (the command line, parsed). */
export interface ImportOptions {
  out: string;
  source: { kind: "onnx" | "xgboost"; path: string };
  data: string;
  target?: string;
  positive?: string;
  columns?: string;
  threshold?: number;
  costs?: { false_negative: number; false_positive: number };
  output?: string;
  outputColumn?: number;
  reasons?: string;
  name?: string;
  /** The native runtime for the parity check, or why there is none. */
  native?: NativeScorer | { unavailable: string };
  /** Budget per explained row for sampling Shapley values (ms). */
  samplingBudgetMs?: number;
}

function labelsFor(table: CsvTable, target: string, positive: string): {
  labels: Uint8Array;
  negative: string;
} {
  if (!table.columns.includes(target)) throw new Error(`--target ${target}: no such column`);
  const values = table.records.map((r, i) => {
    const v = r[target];
    if (v === null || v === undefined) {
      throw new Error(`row ${i + 1} (line ${table.lines[i]}): the target ${target} is missing`);
    }
    return v;
  });
  const distinct = [...new Set(values)].sort();
  if (!distinct.includes(positive)) {
    throw new Error(
      `--positive ${JSON.stringify(positive)} never occurs in ${target} (labels: ${
        distinct.map((d) => JSON.stringify(d)).join(", ")
      })`,
    );
  }
  if (distinct.length !== 2) {
    throw new Error(
      `${target} holds ${distinct.length} labels (${distinct.join(", ")}); a binary target has two`,
    );
  }
  return {
    labels: Uint8Array.from(values, (v) => (v === positive ? 1 : 0)),
    negative: distinct.find((d) => d !== positive)!,
  };
}

/** Indices of at most `max` rows out of `n`: all of them, or a seeded subset in order. */
export function sampleIndices(n: number, max: number, seed: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= max) return all;
  const rng = mersenne(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, max).sort((a, b) => a - b);
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

/** A relative location inside the model's directory, or an error. */
function safeLocation(location: string): string {
  const clean = normalize(location);
  if (isAbsolute(clean) || clean.split(/[\\/]/).includes("..")) {
    throw new ImportRefusal(`external data location ${location} leaves the model's directory`);
  }
  return clean;
}

interface Prepared {
  bytes: Uint8Array;
  originalSha: string;
  externalData: { path: string; data: Uint8Array }[];
  input: string;
  output: { tensor: string; column: number; why: string; rewritten: boolean };
  summary: OnnxSummary | null;
  xgboost: { facts: XgboostFacts; walk: Float64Array } | null;
}

/**
 * Columns whose label disagrees with the booster's saved feature names (a
 * booster trained on a DataFrame keeps them: `dti`, `purpose_car`, …): the
 * most common import mistake is a column order that is not the training one.
 */
export function featureNameMismatches(
  columns: readonly ColumnSpec[],
  names: readonly string[],
): string[] {
  if (names.length !== columns.length) return [];
  return columns.flatMap((c, j) => {
    const n = names[j];
    const fits = "level" in c ? n.startsWith(c.name) && n.endsWith(c.level) : n === c.name;
    return fits ? [] : [`column ${j} is ${columnLabel(c)} but the booster calls it "${n}"`];
  });
}

async function prepareXgboost(
  path: string,
  columns: readonly ColumnSpec[],
  matrix: Float32Array,
  warnings: string[],
) {
  const width = columns.length;
  const text = await Deno.readTextFile(path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const { ensemble, facts } = convertXgboostJson(json);
  const mismatches = featureNameMismatches(columns, facts.feature_names);
  if (mismatches.length > 0) {
    warnings.push(
      `the booster's feature names disagree with the columns (is the order the training ` +
        `one?): ${mismatches.slice(0, 3).join("; ")}${mismatches.length > 3 ? "; …" : ""}`,
    );
  }
  if (ensemble.nFeatures !== width) {
    throw new ImportRefusal(
      `the booster reads ${ensemble.nFeatures} columns (num_feature) but the encoding has ` +
        `${width}: give the model's columns in order with --columns`,
    );
  }
  const bytes = encodeEnsemble(ensemble, {
    docString: `Converted by Scorewatch from XGBoost ${facts.version ?? ""} JSON (${
      basename(path)
    }): sigmoid(logit(base_score) + sum of trees).`,
  });
  const prepared: Prepared = {
    bytes,
    originalSha: sha256Hex(new TextEncoder().encode(text)),
    externalData: [],
    input: ONNX_IO.input,
    output: {
      tensor: ONNX_IO.proba,
      column: 0,
      why: `"${ONNX_IO.proba}", the Sigmoid of the converted trees`,
      rewritten: false,
    },
    summary: null,
    xgboost: { facts, walk: predictProba(ensemble, matrix) },
  };
  return prepared;
}

async function prepareOnnx(
  path: string,
  options: ImportOptions,
  width: number,
  matrix: Float32Array,
): Promise<Prepared> {
  const original = await Deno.readFile(path);
  let summary: OnnxSummary;
  try {
    summary = inspectOnnx(original);
  } catch (err) {
    throw new ImportRefusal(`${path}: ${(err as Error).message}`);
  }
  const input = chooseInput(summary);
  if (input.width !== null && input.width !== width) {
    throw new ImportRefusal(
      `the model's input "${input.name}" has ${input.width} columns but the encoding has ` +
        `${width}: give the model's columns in order with --columns`,
    );
  }
  const externalData = [];
  for (const location of summary.externalData) {
    const file = join(dirname(path), safeLocation(location));
    try {
      externalData.push({ path: location, data: await Deno.readFile(file) });
    } catch {
      throw new ImportRefusal(
        `the model keeps weights in ${location}, which is not next to it (${file})`,
      );
    }
  }
  const candidates = outputCandidates(summary, { output: options.output });
  const missing = candidates.filter((c) => !c.graphOutput).map((c) => ({ name: c.tensor }));
  const probeBytes = missing.length ? appendGraphOutputs(original, missing) : original;
  const n = matrix.length / width;
  let probe: OnnxScorer;
  try {
    probe = await createOnnxScorer(probeBytes, {
      inputName: input.name,
      outputName: candidates[0].tensor,
      outputColumn: 0,
      nFeatures: width,
      externalData,
    });
  } catch (err) {
    throw new ImportRefusal(`onnxruntime-web cannot load ${path}: ${(err as Error).message}`);
  }
  const rejected: string[] = [];
  try {
    const outs = await probe.probe(matrix, candidates.map((c) => c.tensor));
    for (const c of candidates) {
      const o = outs[c.tensor];
      if (o.data === null) {
        rejected.push(`"${c.tensor}" is ${o.type}`);
        continue;
      }
      if (o.dims[0] !== n || o.dims.length > 2) {
        rejected.push(`"${c.tensor}" answers dims [${o.dims}] for ${n} rows`);
        continue;
      }
      const outWidth = o.dims.length === 1 ? 1 : o.dims[1];
      const { column, why } = chooseColumn(c, outWidth, {
        outputColumn: options.outputColumn,
        positive: options.positive,
      });
      const values = Float64Array.from({ length: n }, (_, r) => o.data![r * outWidth + column]);
      const problem = checkProbabilities(values);
      if (problem) {
        rejected.push(`"${c.tensor}": ${problem}`);
        continue;
      }
      const bytes = c.graphOutput
        ? original
        : appendGraphOutputs(original, [{ name: c.tensor, dims: ["N", outWidth] }]);
      return {
        bytes,
        originalSha: sha256Hex(original),
        externalData,
        input: input.name,
        output: { tensor: c.tensor, column, why: `${c.why}, ${why}`, rewritten: !c.graphOutput },
        summary,
        xgboost: null,
      };
    }
  } finally {
    await probe.release();
  }
  throw new ImportRefusal(
    `no output holds a probability of the positive class: ${rejected.join("; ")}`,
  );
}

/**
 * Median time per explained row over three passes, after a warm-up pass (the
 * first explanations pay JIT compilation and, for sampling, the background run).
 */
async function timeExplain(
  explainer: Explainer,
  rows: readonly Features[],
): Promise<{ ms: number; explanations: Awaited<ReturnType<Explainer["explainRows"]>> }> {
  const explanations = await explainer.explainRows(rows);
  const times: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const t0 = performance.now();
    await explainer.explainRows(rows);
    times.push((performance.now() - t0) / rows.length);
  }
  return { ms: times.sort((a, b) => a - b)[1], explanations };
}

/** Imports a model (see the module comment); throws `ImportRefusal` for models it cannot serve. */
export async function importModel(options: ImportOptions): Promise<ImportReport> {
  const table = await readCsvFile(options.data);
  if (table.records.length === 0) throw new Error(`${options.data}: no rows`);
  if ((options.target === undefined) !== (options.positive === undefined)) {
    throw new Error("--target and --positive go together");
  }
  const labelled = options.target !== undefined
    ? labelsFor(table, options.target, options.positive!)
    : null;
  if (!labelled && options.threshold === undefined) {
    throw new Error(
      "without labels (--target COL --positive LABEL) the threshold cannot be chosen: " +
        "give --threshold P",
    );
  }
  const columns: ColumnSpec[] = options.columns
    ? parseColumnsFile(await Deno.readTextFile(options.columns), options.columns)
    : defaultColumns(table, options.target);
  if (options.target && columns.some((c) => c.name === options.target)) {
    throw new Error(`the target ${options.target} is one of the model's columns`);
  }
  const reasonTexts = options.reasons
    ? parseReasonsFile(await Deno.readTextFile(options.reasons), options.reasons)
    : undefined;
  const { features, warnings } = deriveFeatures(table, columns, { reasons: reasonTexts });
  const encoding = { features, columns };
  const encoder = createColumnEncoder(encoding);
  const rows = tableToFeatures(table, features);
  const matrix = encoder.encode(rows);
  const width = encoder.width;

  const prepared = options.source.kind === "xgboost"
    ? await prepareXgboost(options.source.path, columns, matrix, warnings)
    : await prepareOnnx(options.source.path, options, width, matrix);

  const scorer = await createOnnxScorer(prepared.bytes, {
    inputName: prepared.input,
    outputName: prepared.output.tensor,
    outputColumn: prepared.output.column,
    nFeatures: width,
    externalData: prepared.externalData,
  });
  try {
    const served = await scorer.score(matrix);
    const native = options.native ?? { unavailable: "not requested" };
    const parity: ImportReport["parity"] = {
      native: typeof native === "function"
        ? {
          maxAbs: maxAbs(
            served,
            await native({
              bytes: prepared.bytes,
              externalData: prepared.externalData,
              input: prepared.input,
              output: prepared.output.tensor,
              column: prepared.output.column,
              width,
            }, matrix),
          ),
        }
        : native,
      ...(prepared.xgboost
        ? { xgboostRule: { maxAbs: maxAbs(served, prepared.xgboost.walk) } }
        : {}),
    };

    // Threshold and metrics.
    const costMatrix: CostMatrix = {
      false_negative: options.costs?.false_negative ?? 10,
      false_positive: options.costs?.false_positive ?? 1,
      true_positive: 0,
      true_negative: 0,
    };
    let thresholdDecision: ThresholdDecision | null = null;
    if (options.threshold === undefined) {
      thresholdDecision = chooseThreshold({ labels: labelled!.labels, scores: served }, costMatrix);
    }
    const threshold = options.threshold ?? thresholdDecision!.threshold;
    const metrics: { test?: EvalMetrics } = labelled
      ? {
        test: {
          ...evaluateClassifier({ labels: labelled.labels, scores: served }, {
            threshold,
            costs: costMatrix,
          }),
          data: `${basename(options.data)} (the import sample)`,
        },
      }
      : {};

    // Reference sample: the sample (or a seeded subset of it), scored by the model.
    const refIdx = sampleIndices(table.records.length, REFERENCE_MAX_ROWS, SAMPLING.seed);
    const refRecords = refIdx.map((i) => table.records[i]);
    const refRows = refIdx.map((i) => rows[i]);
    const refScores = Float64Array.from(refIdx, (i) => served[i]);
    const refMatrix = encoder.encode(refRows);
    const referenceCsv = referenceSampleCsv(refRecords, {
      specs: features,
      scores: refScores,
      target: options.target ?? null,
    });

    // Reasons.
    const files: { name: string; bytes: Uint8Array }[] = [];
    let spec: ReasonsSpec;
    let note: string;
    let covers: number[] | undefined;
    let background: Features[] | undefined;
    if (prepared.xgboost) {
      spec = {
        method: "tree_shap",
        units: "log_odds",
        node: TREE_NODE_NAME,
        plus: [0],
        minus: [],
        covers: { source: "onnx_hitrates", note: "XGBoost's sum_hessian of each node" },
      };
      note = "exact TreeSHAP over the converted trees, covers from XGBoost's sum_hessian";
    } else {
      const fit = {
        bytes: prepared.bytes,
        summary: inspectOnnx(prepared.bytes),
        inputName: prepared.input,
        matrix: refMatrix,
        width,
        served: refScores,
        column: prepared.output.column,
      };
      const tree = fitTreeReasons(fit);
      const linear = tree.ok ? null : fitLinearReasons(fit, prepared.output.tensor);
      if (tree.ok) {
        const bytes = new TextEncoder().encode(
          `${JSON.stringify({ node: tree.spec.node, covers: tree.covers })}\n`,
        );
        files.push({ name: IMPORT_FILES.covers, bytes });
        covers = tree.covers;
        spec = {
          ...tree.spec,
          covers: {
            source: "file",
            file: IMPORT_FILES.covers,
            sha256: sha256Hex(bytes),
            note: `rows of the ${refIdx.length}-row reference sample reaching each node`,
          },
        };
        note = `exact TreeSHAP: ${tree.note}; covers counted on the reference sample`;
      } else if (linear?.ok) {
        spec = linear.spec;
        note = `exact linear contributions: ${linear.note}`;
      } else {
        const bgIdx = sampleIndices(refIdx.length, SAMPLING.background, SAMPLING.seed);
        background = bgIdx.map((i) => refRows[i]);
        spec = {
          method: "sampling",
          units: "log_odds",
          permutations: SAMPLING.permutations,
          background_rows: bgIdx,
          seed: SAMPLING.seed,
          evaluations_per_row: evaluationsPerRow(
            bgIdx.length,
            SAMPLING.permutations,
            features.length,
          ),
        };
        note = `sampling Shapley values (no exact method: trees — ${tree.why}; linear — ${
          linear?.why ?? "not tried"
        })`;
      }
    }
    const source = {
      meta: { features, reasons: spec },
      onnxBytes: prepared.bytes,
      encoder,
      scoreMatrix: (m: Float32Array) => scorer.score(m),
      explainerData: { covers, background },
    };
    const timedRows = refRows.slice(0, spec.method === "sampling" ? 20 : 200);
    const timed = await timeExplain(createExplainer(source), timedRows);
    let msPerRow: number | null = timed.ms;
    let additivity: number | null = 0;
    timed.explanations.forEach((e, r) => {
      const sum = Object.values(e.contributions).reduce((s, c) => s + c, e.base_value);
      const want = spec.method === "none" ? 0 : toUnits(
        spec.units,
        refScores[r],
      );
      additivity = Math.max(additivity!, Math.abs(sum - want));
    });
    const budget = options.samplingBudgetMs ?? SAMPLING_BUDGET_MS;
    if (spec.method === "sampling" && timed.ms > budget) {
      spec = {
        method: "none",
        statement: `sampling Shapley values cost ${timed.ms.toFixed(0)} ms per explained row ` +
          `with this model (budget ${budget} ms), so it gives no reason codes`,
      };
      note = `none: ${spec.statement}`;
      msPerRow = null;
      additivity = null;
    }

    // Metadata.
    const modelType = prepared.xgboost
      ? "xgboost"
      : spec.method === "tree_shap"
      ? "tree-ensemble"
      : spec.method === "linear"
      ? "linear"
      : "onnx";
    const positives = labelled ? positiveRate(labelled.labels) : null;
    const summary = prepared.summary;
    const meta = versionedMeta({
      schema_version: SCHEMA_VERSION as 2,
      model_version: "",
      model_type: modelType,
      name: options.name ?? `${basename(options.source.path)} (imported)`,
      features,
      columns,
      onnx: {
        file: IMPORT_FILES.model,
        sha256: sha256Hex(prepared.bytes),
        external_data: prepared.externalData.map((e) => ({
          file: e.path,
          sha256: sha256Hex(e.data),
        })),
        input_name: prepared.input,
        output_name: prepared.output.tensor,
        output_column: prepared.output.column,
      },
      reasons: spec,
      reference: { file: REFERENCE_FILE, rows: refIdx.length, scores: "model" },
      provenance: {
        source: options.source.kind,
        file: basename(options.source.path),
        sha256: prepared.originalSha,
        ...(summary
          ? {
            producer: summary.producer || null,
            ir_version: summary.irVersion,
            opsets: summary.opsets,
            ops: [...new Set(summary.nodes.map((n) => n.opType))],
          }
          : {}),
        ...(prepared.xgboost ? { converter: prepared.xgboost.facts } : {}),
        output: prepared.output.why,
        rewrites: prepared.output.rewritten
          ? [
            `added graph output "${prepared.output.tensor}" (the model's bytes otherwise as given)`,
          ]
          : [],
        imported_with: "deno task import-model",
      },
      target: labelled
        ? {
          name: options.target!,
          positive_label: options.positive!,
          negative_label: labelled.negative,
        }
        : null,
      threshold,
      cost_matrix: costMatrix,
      training: {
        note: "trained outside Scorewatch: see provenance",
        threshold: thresholdDecision ?? { method: "given", threshold },
      },
      dataset: roundNumbers({
        file: basename(options.data),
        sha256: sha256Hex(await Deno.readFile(options.data)),
        rows: table.records.length,
        ...(positives !== null ? { default_rate: positives } : {}),
      }),
      metrics: roundNumbers(metrics),
    }, modelType);

    const report: ImportReport = {
      meta,
      dir: options.out,
      rows: table.records.length,
      served,
      output: prepared.output,
      parity,
      reasons: { method: spec.method, note, msPerRow, rowsTimed: timedRows.length, additivity },
      warnings,
    };

    // Files.
    await Deno.mkdir(options.out, { recursive: true });
    await Deno.writeFile(join(options.out, IMPORT_FILES.model), prepared.bytes);
    for (const e of prepared.externalData) {
      const file = join(options.out, e.path);
      await Deno.mkdir(dirname(file), { recursive: true });
      await Deno.writeFile(file, e.data);
    }
    for (const f of files) await Deno.writeFile(join(options.out, f.name), f.bytes);
    await Deno.writeTextFile(join(options.out, META_FILE), metaJson(meta));
    await Deno.writeTextFile(join(options.out, REFERENCE_FILE), referenceCsv);
    await Deno.writeTextFile(join(options.out, MODEL_CARD_FILE), renderImportCard(meta, report));

    // The directory must serve exactly what was checked.
    const loaded = await loadModel(options.out);
    try {
      const again = await loaded.scoreRows(rows);
      const diff = maxAbs(again, served);
      if (diff !== 0) throw new Error(`the written model scores differently (max |Δ| ${diff})`);
    } finally {
      await loaded.release();
    }
    return report;
  } finally {
    await scorer.release();
  }
}
