/**
 * `deno task bench pieces`: what each piece of a request costs, in process,
 * on the real modules: JSON parse of the body, zod validation
 * (`api/http/schemas.ts`), feature encoding (canonical form + float matrix),
 * one ONNX run, one group commit to a temp audit log (`synchronous=FULL`,
 * fsync included), TreeSHAP reason codes, the answer's JSON, and the whole
 * app's `POST` in process (`app.request` on a `:memory:` log: everything but
 * the socket and the fsync). Each for a 1-row /predict body and a
 * `--batch`-row /predict_batch body of test.csv applications.
 *
 *   deno task bench pieces [--reps 15] [--iterations 200] [--batch 200]
 *
 * Each figure is the median over `--reps` interleaved rounds (`timePerCall`).
 *
 * @module
 */
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../../api/config.ts";
import { buildSchemas } from "../../api/http/schemas.ts";
import { canonicalFeatures } from "../../api/predictor.ts";
import type { Features } from "../../api/scoring/feature_vector.ts";
import { loadModel } from "../../api/scoring/model.ts";
import { decide } from "../../api/scoring/model_meta.ts";
import { createExplainer } from "../../api/scoring/reason_codes.ts";
import { openStore, type PredictionRecord } from "../../api/store/mod.ts";
import { createApp } from "../../main.ts";
import { creditRows } from "../lib/credit_rows.ts";
import { parseFlags, parseIntegerFlag } from "../lib/flags.ts";
import { ROOT } from "../lib/service.ts";
import { fmt, markdownTable, type SuiteRun, timePerCall } from "./stats.ts";

/** The help text. */
export const USAGE = "deno task bench pieces [--reps 15] [--iterations 200] [--batch 200]";

/** Runs the suite. */
export const run: SuiteRun = async (args, log) => {
  const v = parseFlags(args, {
    reps: { type: "string", default: "15" },
    iterations: { type: "string", default: "200" },
    batch: { type: "string", default: "200" },
  });
  const reps = parseIntegerFlag("reps", v.reps, { min: 1, max: 1000 });
  const iterations = parseIntegerFlag("iterations", v.iterations, { min: 1 });
  const batch = parseIntegerFlag("batch", v.batch, { min: 2, max: 1000 });
  const model = await loadModel(`${ROOT}artifacts`);
  const { meta } = model;
  const names = meta.features.map((f) => f.name);
  const schemas = buildSchemas(meta, { strict: true, maxBatchRows: 1000 });
  const explainer = createExplainer(model);
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_bench_pieces_" });
  const store = await openStore(join(dir, "pieces.sqlite")); // FULL, as the service's default
  const memory = await openStore(":memory:");
  const app = createApp({ config: DEFAULT_CONFIG, model, store: memory });
  const all = await creditRows(meta.features);
  const results: Record<string, Record<string, number>> = {};
  try {
    for (const size of [1, batch]) {
      // A few distinct bodies per size, cycled, so no piece sees one input only.
      const groups: Features[][] = Array.from(
        { length: 8 },
        (_, k) => Array.from({ length: size }, (_, i) => all[(k * size + i) % all.length]),
      );
      const bodies = groups.map((rows) =>
        JSON.stringify(size === 1 ? { features: rows[0] } : { rows })
      );
      const parsed = bodies.map((b) => JSON.parse(b));
      const canonical = groups.map((rows) => rows.map((r) => canonicalFeatures(names, r)));
      const matrices = canonical.map((rows) => model.encoder.encode(rows));
      // Every append logs new request ids (a reused one is refused before any insert).
      let appended = 0;
      const fresh = (rows: readonly PredictionRecord[]) => {
        const call = appended++;
        return rows.map((r) => ({ ...r, request_id: `${r.request_id}-${size}-${call}` }));
      };
      const records = canonical.map((rows) =>
        rows.map((features, j): PredictionRecord => ({
          ts_utc: new Date().toISOString(),
          client_id: "",
          request_id: `bench-${j}`,
          model_version: meta.model_version,
          proba_default: 0.2,
          threshold: meta.threshold,
          decision: decide(0.2, meta.threshold),
          latency_ms: 1,
          input_json: JSON.stringify(features),
        }))
      );
      const answers = records.map((rows) =>
        rows.map(({ request_id, proba_default, threshold, decision, model_version }) => ({
          request_id,
          proba_default,
          threshold,
          decision,
          model_version,
          latency_ms: 1,
        }))
      );
      const schema = size === 1 ? schemas.PredictRequest : schemas.PredictBatchRequest;
      const path = size === 1 ? "/predict" : "/predict_batch";
      const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length];
      log(`pieces: ${size} row(s) …`);
      results[size === 1 ? "1 row" : `${size} rows`] = await timePerCall({
        "JSON.parse of the body": (i) => JSON.parse(pick(bodies, i)),
        "validation (zod, api/http/schemas.ts)": (i) => schema.parse(pick(parsed, i)),
        "feature encoding (canonical + matrix)": (i) =>
          model.encoder.encode(pick(groups, i).map((r) => canonicalFeatures(names, r))),
        "ONNX run (scoreMatrix)": (i) => model.scoreMatrix(pick(matrices, i)),
        "group commit, FULL (store.append)": (i) => store.append({ rows: fresh(pick(records, i)) }),
        "TreeSHAP reason codes (explainRows)": (i) => explainer.explainRows(pick(canonical, i)),
        "answer JSON.stringify": (i) =>
          JSON.stringify(size === 1 ? pick(answers, i)[0] : { items: pick(answers, i) }),
        "whole app, in process (app.request, :memory: log)": async (i) => {
          const res = await app.request(path, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: pick(bodies, i),
          });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
        },
      }, { reps, n: size === 1 ? iterations : Math.max(1, Math.round(iterations / 20)) });
    }
  } finally {
    app.dispose();
    await store.close();
    await memory.close();
    await model.release();
    await Deno.remove(dir, { recursive: true });
  }
  const [one, many] = Object.values(results);
  const markdown = `## pieces: µs per call, median of ${reps} interleaved rounds\n\n` +
    markdownTable(
      ["piece", "1 row", `${batch} rows`, `µs/row at ${batch}`],
      Object.keys(one).map((piece) => [
        piece,
        fmt(one[piece]),
        fmt(many[piece]),
        fmt(many[piece] / batch),
      ]),
    );
  return { json: { settings: { reps, iterations, batch }, us_per_call: results }, markdown };
};
