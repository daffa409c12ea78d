/**
 * Which input to feed and which output holds the probability, for an ONNX
 * binary classifier written by another tool — and the refusals, each saying
 * what was found:
 *
 * - **Input**: exactly one real input (graph inputs minus initializers), a
 *   float tensor of rank 2 (`[N, F]`; the batch dimension may be unnamed).
 *   Several inputs, an integer or string input, or another rank is refused.
 * - **Output candidates**, best first: the tensor feeding a `ZipMap` (the
 *   onnxmltools/skl2onnx default; its sequence of maps cannot be read back by
 *   onnxruntime-web, so the tensor becomes a graph output), then float tensor
 *   outputs whose name says "prob", then the other float outputs. Integer and
 *   string outputs (class labels) are never candidates. `--output NAME`
 *   chooses one (a graph output, a ZipMap output, or any internal tensor).
 * - **Class labels** of a candidate come from the `ZipMap` or the classifier
 *   node that produced the tensor (through `Identity`, `Cast`, `Mul`,
 *   `Normalizer`): with string labels the positive label's column is served
 *   (skl2onnx with `["bad", "good"]` serves column 0 for "bad"); more than two
 *   labels is a multiclass model and refused.
 *
 * The importer then runs each candidate on the data sample (the declared
 * shapes are not trusted: torch declares `[1, 1]` and answers `[N, 1]`) and
 * takes the first whose values are all probabilities ({@link chooseColumn},
 * {@link checkProbabilities}).
 *
 * @module
 */
import { describeValue, type NodeInfo, type OnnxSummary, producerOf } from "./onnx_graph.ts";

/** A model the service cannot serve; the message says what was found. */
export class ImportRefusal extends Error {
  /** Builds the refusal. */
  constructor(message: string) {
    super(message);
    this.name = "ImportRefusal";
  }
}

/** The model's input. */
export interface InputChoice {
  name: string;
  /** Declared number of columns, or null when not fixed. */
  width: number | null;
}

/** Finds the one float `[N, F]` input, or refuses. */
export function chooseInput(summary: OnnxSummary): InputChoice {
  const inputs = summary.inputs;
  const list = inputs.map((i) => `${i.name} ${describeValue(i)}`).join(", ");
  if (inputs.length === 0) throw new ImportRefusal("the model has no input to feed");
  if (inputs.length > 1) {
    throw new ImportRefusal(
      `the model has ${inputs.length} inputs (${list}); the service feeds exactly one float32 ` +
        "[N, k] tensor: concatenate the inputs inside the model before exporting it",
    );
  }
  const input = inputs[0];
  if (input.kind !== "tensor" || input.elemType !== "FLOAT") {
    throw new ImportRefusal(
      `the input "${input.name}" is ${describeValue(input)}; the service feeds float32 ` +
        "(missing values are NaN, which integer types cannot hold): export the model with a " +
        "float input",
    );
  }
  if (input.dims !== null && input.dims.length !== 2) {
    throw new ImportRefusal(
      `the input "${input.name}" is ${describeValue(input)}: expected rank 2, [N, columns]`,
    );
  }
  const width = input.dims?.[1];
  return { name: input.name, width: typeof width === "number" ? width : null };
}

/** A tensor that may hold the probability. */
export interface OutputCandidate {
  /** The tensor to fetch. */
  tensor: string;
  /** False when the tensor must first become a graph output. */
  graphOutput: boolean;
  /** Class labels of its columns, when the graph names them. */
  labels: (string | number)[] | null;
  /** How it was found, for the summary and the provenance. */
  why: string;
}

const PASS_THROUGH = new Set(["Identity", "Cast", "Mul", "Normalizer"]);
const CLASSIFIERS = new Set([
  "TreeEnsembleClassifier",
  "LinearClassifier",
  "SVMClassifier",
  "TreeEnsemble",
]);

function labelsOf(node: NodeInfo): (string | number)[] | null {
  const a = node.attributes;
  const labels = a.classlabels_strings ?? a.classlabels_int64s ?? a.classlabels_ints;
  return Array.isArray(labels) ? labels : null;
}

/** The class labels of a tensor: from the classifier that produced it, through pass-through ops. */
function tensorLabels(summary: OnnxSummary, tensor: string): (string | number)[] | null {
  let name = tensor;
  for (let hops = 0; hops < 16; hops++) {
    const node = producerOf(summary, name);
    if (!node) return null;
    if (CLASSIFIERS.has(node.opType)) {
      return node.outputs.indexOf(name) === 1 ? labelsOf(node) : null;
    }
    if (!PASS_THROUGH.has(node.opType)) return null;
    name = node.inputs[0];
  }
  return null;
}

function refuseMulticlass(c: OutputCandidate): OutputCandidate {
  if (c.labels && c.labels.length > 2) {
    throw new ImportRefusal(
      `multiclass model: "${c.tensor}" holds ${c.labels.length} classes (${
        c.labels.join(", ")
      }); the service scores one binary outcome`,
    );
  }
  return c;
}

/**
 * The candidate tensors, best first (see the module comment). Refuses when
 * `output` names nothing in the graph, or when there is no float output.
 */
export function outputCandidates(
  summary: OnnxSummary,
  options: { output?: string } = {},
): OutputCandidate[] {
  const isOutput = (t: string) => summary.outputs.some((o) => o.name === t);
  const fromZipMap = (zip: NodeInfo, outName: string): OutputCandidate => {
    const tensor = zip.inputs[0];
    return {
      tensor,
      graphOutput: isOutput(tensor),
      labels: labelsOf(zip) ?? tensorLabels(summary, tensor),
      why: `"${tensor}", the tensor feeding ZipMap "${outName}" (a sequence of maps, which ` +
        "onnxruntime-web cannot hand back)",
    };
  };
  if (options.output !== undefined) {
    const name = options.output;
    const out = summary.outputs.find((o) => o.name === name);
    const producer = producerOf(summary, name);
    if (out && out.kind !== "tensor") {
      if (producer?.opType === "ZipMap") return [refuseMulticlass(fromZipMap(producer, name))];
      throw new ImportRefusal(`--output ${name} is ${describeValue(out)}, not a tensor`);
    }
    if (!out && !producer) {
      const known = [
        ...summary.outputs.map((o) => o.name),
        ...summary.nodes.flatMap((n) => n.outputs),
      ];
      throw new ImportRefusal(
        `--output ${name}: no such tensor (outputs and tensors: ${[...new Set(known)].join(", ")})`,
      );
    }
    if (out && out.elemType !== "FLOAT" && out.elemType !== "DOUBLE") {
      throw new ImportRefusal(`--output ${name} is ${describeValue(out)}, not a float tensor`);
    }
    return [refuseMulticlass({
      tensor: name,
      graphOutput: Boolean(out),
      labels: tensorLabels(summary, name),
      why: `"${name}", chosen with --output`,
    })];
  }
  const zipped: OutputCandidate[] = [];
  const named: OutputCandidate[] = [];
  const other: OutputCandidate[] = [];
  for (const out of summary.outputs) {
    const producer = producerOf(summary, out.name);
    if (out.kind !== "tensor") {
      if (producer?.opType === "ZipMap") zipped.push(fromZipMap(producer, out.name));
      continue;
    }
    if (out.elemType !== "FLOAT" && out.elemType !== "DOUBLE") continue;
    const c: OutputCandidate = {
      tensor: out.name,
      graphOutput: true,
      labels: tensorLabels(summary, out.name),
      why: `"${out.name}", a float output of the graph`,
    };
    (/prob/i.test(out.name) ? named : other).push(c);
  }
  const all = [...zipped, ...named, ...other];
  if (all.length === 0) {
    const list = summary.outputs.map((o) => `${o.name} ${describeValue(o)}`).join(", ");
    throw new ImportRefusal(`no float output to read a probability from (outputs: ${list})`);
  }
  return all.map(refuseMulticlass);
}

/**
 * The probability's column in a `[N, width]` output: `--output-column`, else
 * the positive label's column when the graph names string labels (or numeric
 * labels that equal the positive label), else column 1 of two, column 0 of
 * one. More than two columns is a multiclass model: refused.
 */
export function chooseColumn(
  candidate: OutputCandidate,
  width: number,
  options: { outputColumn?: number; positive?: string } = {},
): { column: number; why: string } {
  if (width > 2) {
    throw new ImportRefusal(
      `multiclass model: "${candidate.tensor}" has ${width} columns; the service scores one ` +
        "binary outcome",
    );
  }
  if (options.outputColumn !== undefined) {
    if (options.outputColumn >= width) {
      throw new ImportRefusal(
        `--output-column ${options.outputColumn}: "${candidate.tensor}" has ${width} column(s)`,
      );
    }
    return { column: options.outputColumn, why: "chosen with --output-column" };
  }
  const labels = candidate.labels;
  if (labels && labels.length === width && options.positive !== undefined) {
    const k = labels.findIndex((l) => String(l) === options.positive);
    if (k >= 0) {
      return { column: k, why: `the column of class label ${JSON.stringify(options.positive)}` };
    }
    if (labels.every((l) => typeof l === "string")) {
      throw new ImportRefusal(
        `the model's class labels are ${labels.map((l) => JSON.stringify(l)).join(", ")}; ` +
          `--positive ${JSON.stringify(options.positive)} is none of them`,
      );
    }
  }
  if (width === 2) {
    return {
      column: 1,
      why: labels ? `column 1 (class label ${labels[1]}) of two` : "column 1 of two",
    };
  }
  return { column: 0, why: "the only column" };
}

/**
 * Checks that served values are probabilities: finite and within [0, 1] on
 * every row. Returns null when they are, else a sentence saying what was found.
 */
export function checkProbabilities(values: ArrayLike<number>): string | null {
  let min = Infinity;
  let max = -Infinity;
  let bad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) bad++;
    else {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  if (bad > 0) return `${bad} of ${values.length} values are not finite numbers`;
  if (min < 0 || max > 1) {
    return `values range over [${min.toPrecision(4)}, ${max.toPrecision(4)}] on the sample, ` +
      "outside [0, 1]: a score or log-odds, not a probability";
  }
  return null;
}
