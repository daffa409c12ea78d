/**
 * Reading and minimally rewriting ONNX models written by other tools
 * (onnxmltools, skl2onnx, torch.onnx, …), for `deno task import-model`:
 *
 * - {@link inspectOnnx}: the real inputs (graph inputs that are not
 *   initializers, as IR < 4 files list weights as inputs), the outputs with
 *   their types (tensor, or the sequence of maps ZipMap writes), the nodes,
 *   opsets, producer and the external data files the initializers name.
 * - {@link appendGraphOutputs}: makes an internal tensor a graph output (the
 *   only way to fetch it: onnxruntime fetches graph outputs only), e.g. the
 *   probability tensor feeding ZipMap, whose sequence of maps
 *   onnxruntime-web cannot hand back to JavaScript.
 *
 * The rewrite is a byte splice, not a decode/encode round trip: the model's
 * bytes are copied verbatim except the graph field, whose bytes are copied
 * verbatim too, followed by the encoded new `output` entries (protobuf
 * appends repeated fields). Decoding with `onnx-proto` and encoding again
 * would silently drop any field newer than its schema; the splice keeps every
 * byte the exporter wrote. protobufjs's wire Reader/Writer do the framing.
 *
 * @module
 */
import pb from "protobufjs/minimal";
import { type Onnx, onnx } from "./onnx_proto.ts";

/** A graph input or output. */
export interface ValueInfo {
  name: string;
  /** "tensor", or what else the value is (ZipMap writes a sequence of maps). */
  kind: "tensor" | "sequence" | "map" | "optional" | "sparse_tensor" | "unknown";
  /** Element type of a tensor ("FLOAT", "INT64", "STRING", …); null otherwise. */
  elemType: string | null;
  /** Dimensions: a number, a symbolic name, or null when unnamed; null = no shape. */
  dims: (number | string | null)[] | null;
}

/** A node, as far as the importer needs it. */
export interface NodeInfo {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Attributes as plain values (numbers, strings, number or string lists). */
  attributes: Record<string, number | string | number[] | string[]>;
}

/** What {@link inspectOnnx} found. */
export interface OnnxSummary {
  irVersion: number;
  opsets: Record<string, number>;
  producer: string;
  /** Graph inputs that are not initializers: what a caller must feed. */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  nodes: NodeInfo[];
  /** Names of initializers (weights). */
  initializers: string[];
  /** `location`s of external tensor data, each once. */
  externalData: string[];
}

const DT = onnx.TensorProto.DataType as unknown as Record<number, string>;

function num(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "number" ? v : v.toNumber();
}

function valueInfo(v: Onnx.IValueInfoProto): ValueInfo {
  const t = v.type ?? {};
  const name = v.name ?? "";
  if (t.tensorType) {
    const shape = t.tensorType.shape;
    return {
      name,
      kind: "tensor",
      elemType: DT[t.tensorType.elemType ?? 0] ?? `type ${t.tensorType.elemType}`,
      dims: shape
        ? (shape.dim ?? []).map((d) =>
          d.dimValue !== null && d.dimValue !== undefined && num(d.dimValue) > 0
            ? num(d.dimValue)
            : d.dimParam
            ? d.dimParam
            : null
        )
        : null,
    };
  }
  const kind = t.sequenceType
    ? "sequence"
    : t.mapType
    ? "map"
    : t.optionalType
    ? "optional"
    : t.sparseTensorType
    ? "sparse_tensor"
    : "unknown";
  return { name, kind, elemType: null, dims: null };
}

function attributeValue(a: Onnx.IAttributeProto): number | string | number[] | string[] {
  const dec = new TextDecoder();
  const AT = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case AT.FLOAT:
      return a.f ?? 0;
    case AT.INT:
      return num(a.i);
    case AT.STRING:
      return dec.decode(a.s ?? new Uint8Array());
    case AT.FLOATS:
      return [...(a.floats ?? [])];
    case AT.INTS:
      return (a.ints ?? []).map(num);
    case AT.STRINGS:
      return (a.strings ?? []).map((s) => dec.decode(s));
    default:
      return "";
  }
}

/** Formats a value's type for messages: `float [?, 26]`, `seq(map)`. */
export function describeValue(v: ValueInfo): string {
  if (v.kind !== "tensor") return `${v.kind} (not a tensor)`;
  const dims = v.dims === null ? "" : ` [${v.dims.map((d) => d ?? "?").join(", ")}]`;
  return `${(v.elemType ?? "?").toLowerCase()}${dims}`;
}

/** Decodes a model and summarises what the importer needs (see the module comment). */
export function inspectOnnx(bytes: Uint8Array): OnnxSummary {
  let model: Onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new Error(`not an ONNX model (${(err as Error).message})`);
  }
  const graph = model.graph;
  if (!graph) throw new Error("not an ONNX model: no graph");
  const initializers = (graph.initializer ?? []).map((t) => t.name ?? "");
  const init = new Set(initializers);
  const external = new Set<string>();
  for (const t of graph.initializer ?? []) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const location = (t.externalData ?? []).find((e) => e.key === "location")?.value;
    if (location) external.add(location);
  }
  return {
    irVersion: num(model.irVersion),
    opsets: Object.fromEntries(
      (model.opsetImport ?? []).map((o) => [o.domain ?? "", num(o.version)]),
    ),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(" "),
    inputs: (graph.input ?? []).filter((i) => !init.has(i.name ?? "")).map(valueInfo),
    outputs: (graph.output ?? []).map(valueInfo),
    nodes: (graph.node ?? []).map((n) => ({
      name: n.name ?? "",
      opType: n.opType ?? "",
      domain: n.domain ?? "",
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attributes: Object.fromEntries((n.attribute ?? []).map((a) => [a.name, attributeValue(a)])),
    })),
    initializers,
    externalData: [...external],
  };
}

/** The node producing `tensor`, or undefined (a graph input or an initializer). */
export function producerOf(summary: OnnxSummary, tensor: string): NodeInfo | undefined {
  return summary.nodes.find((n) => n.outputs.includes(tensor));
}

/** The nodes reading `tensor`. */
export function consumersOf(summary: OnnxSummary, tensor: string): NodeInfo[] {
  return summary.nodes.filter((n) => n.inputs.includes(tensor));
}

const GRAPH_FIELD = 7; // ModelProto.graph
const LENGTH_DELIMITED = 2;

/** A new float tensor output: its name and, when known, its shape. */
export interface NewOutput {
  name: string;
  /** Dimensions (number, symbolic name, or null for unnamed). Default `["N", null]`. */
  dims?: (number | string | null)[];
}

/**
 * Adds float tensor outputs to the model's graph, leaving every other byte as
 * it was (see the module comment). Throws when the bytes hold no graph.
 */
export function appendGraphOutputs(bytes: Uint8Array, outputs: readonly NewOutput[]): Uint8Array {
  const extra = onnx.GraphProto.encode({
    output: outputs.map((o) => ({
      name: o.name,
      type: {
        tensorType: {
          elemType: onnx.TensorProto.DataType.FLOAT,
          shape: {
            dim: (o.dims ?? ["N", null]).map((d) =>
              typeof d === "number" ? { dimValue: d } : typeof d === "string" ? { dimParam: d } : {}
            ),
          },
        },
      },
    })),
  }).finish();
  const reader = pb.Reader.create(bytes);
  const chunks: Uint8Array[] = [];
  let found = false;
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    if (tag >>> 3 === GRAPH_FIELD && (tag & 7) === LENGTH_DELIMITED && !found) {
      const graph = reader.bytes();
      // Field header with the new length, the graph's bytes, then the new outputs.
      chunks.push(pb.Writer.create().uint32(tag).uint32(graph.length + extra.length).finish());
      chunks.push(graph, extra);
      found = true;
      continue;
    }
    reader.skipType(tag & 7);
    chunks.push(bytes.subarray(start, reader.pos));
  }
  if (!found) throw new Error("not an ONNX model: no graph");
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
