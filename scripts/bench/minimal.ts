/**
 * The second baseline of `deno task bench http` (`minimal`): /predict's work
 * with the service's guarantees, and nothing else. It parses the JSON body,
 * checks the features by hand (all present, no other key, finite numbers,
 * known levels, `null` = missing), scores the rows of one event-loop turn in
 * one ONNX run (onnxruntime-web, artifacts/model.onnx), commits them in one
 * WAL transaction with `synchronous=FULL` (node:sqlite) and answers each
 * request after that commit. No framework, middleware or metrics: the gap to
 * the service is the service's own overhead.
 *
 *   deno run --allow-net=127.0.0.1 --allow-read=artifacts,node_modules,DIR --allow-write=DIR \
 *     scripts/bench/minimal.ts DIR
 *
 * Self-contained on purpose (it reads model_meta.json itself and shares no
 * code with api/): a baseline must not move when the service changes.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { setImmediate } from "node:timers";
import * as ort from "onnxruntime-web";
import { serveBaseline } from "./hello.ts";

interface Meta {
  model_version: string;
  threshold: number;
  features: { name: string; type: "numeric" | "categorical"; levels?: string[] }[];
  onnx: { file: string; input_name: string; output_name: string; output_column: number };
}

const artifacts = new URL("../../artifacts/", import.meta.url);
const meta: Meta = JSON.parse(await Deno.readTextFile(new URL("model_meta.json", artifacts)));
const width = meta.features.length;
ort.env.wasm.numThreads = 1; // as the service: one thread per process
const session = await ort.InferenceSession.create(
  await Deno.readFile(new URL(meta.onnx.file, artifacts)),
  { executionProviders: ["wasm"], graphOptimizationLevel: "all" },
);

const db = new DatabaseSync(`${Deno.args[0]}/minimal.sqlite`);
db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
  CREATE TABLE predictions (id INTEGER PRIMARY KEY, ts_utc TEXT NOT NULL,
    request_id TEXT NOT NULL, model_version TEXT NOT NULL, proba_default REAL NOT NULL,
    decision TEXT NOT NULL, input_json TEXT NOT NULL);
  CREATE INDEX predictions_ts ON predictions (ts_utc);
  CREATE INDEX predictions_request_id ON predictions (request_id);`);
const insert = db.prepare(
  "INSERT INTO predictions (ts_utc, request_id, model_version, proba_default, decision, " +
    "input_json) VALUES (?, ?, ?, ?, ?, ?)",
);

/** Writes the encoded row into `out`, or answers what is wrong with the body. */
function encode(body: unknown, out: Float32Array): string | null {
  const features = (body as { features?: unknown } | null)?.features;
  if (typeof features !== "object" || features === null || Array.isArray(features)) {
    return "features: expected an object";
  }
  const row = features as Record<string, unknown>;
  if (Object.keys(row).length !== width) return `features: expected the ${width} model features`;
  for (let j = 0; j < width; j++) {
    const spec = meta.features[j];
    const v = row[spec.name];
    if (v === null) out[j] = NaN; // missing: the trees' learned default direction
    else if (spec.type === "numeric" && typeof v === "number" && Number.isFinite(v)) out[j] = v;
    else if (spec.type === "categorical" && typeof v === "string" && spec.levels!.includes(v)) {
      out[j] = spec.levels!.indexOf(v);
    } else return `${spec.name}: invalid or absent`;
  }
  return null;
}

interface Pending {
  id: string;
  input: string;
  row: Float32Array;
  answer: (res: Response) => void;
}
let queue: Pending[] = [];
let flushing = false;

/**
 * One flush per event-loop turn, scheduled with `setImmediate`: it runs once
 * the turn's I/O callbacks have queued their rows. Measured here: with
 * `setTimeout(0)` (1–4 ms of timer latency) 0.07× a GET hello instead of
 * 0.24×; with `queueMicrotask` (one row per flush) 0.03×. One flush at a
 * time: rows arriving meanwhile wait for the next.
 */
function schedule(): void {
  if (flushing || queue.length === 0) return;
  flushing = true;
  setImmediate(flush);
}

async function flush(): Promise<void> {
  const batch = queue;
  queue = [];
  try {
    const matrix = new Float32Array(batch.length * width);
    batch.forEach((p, i) => matrix.set(p.row, i * width));
    const input = new ort.Tensor("float32", matrix, [batch.length, width]);
    const output = (await session.run({ [meta.onnx.input_name]: input }))[meta.onnx.output_name];
    const data = output.data as Float32Array;
    const stride = data.length / batch.length;
    const ts = new Date().toISOString();
    const answers = batch.map((p, i) => {
      const proba = data[i * stride + meta.onnx.output_column];
      const decision = proba >= meta.threshold ? "reject" : "approve";
      return {
        request_id: p.id,
        proba_default: proba,
        decision,
        model_version: meta.model_version,
      };
    });
    db.exec("BEGIN");
    try {
      answers.forEach((a, i) =>
        insert.run(ts, a.request_id, a.model_version, a.proba_default, a.decision, batch[i].input)
      );
      db.exec("COMMIT"); // synchronous=FULL: returns once the WAL is on disk
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
    batch.forEach((p, i) => p.answer(Response.json(answers[i])));
  } catch {
    batch.forEach((p) => p.answer(new Response("audit log unavailable", { status: 503 })));
  } finally {
    flushing = false;
    schedule();
  }
}

serveBaseline(async (req) => {
  if (req.method !== "POST" || !req.url.endsWith("/predict")) {
    return new Response("not found", { status: 404 });
  }
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    return new Response("malformed JSON", { status: 400 });
  }
  const row = new Float32Array(width);
  const problem = encode(body, row);
  if (problem) return new Response(problem, { status: 422 });
  const input = JSON.stringify((body as { features: unknown }).features);
  const { promise, resolve } = Promise.withResolvers<Response>();
  queue.push({ id: crypto.randomUUID(), input, row, answer: resolve });
  schedule();
  return promise;
});
