/**
 * Builders shared by the site's tests, the screenshot task and the page
 * benchmark: a test app with a reference sample scored by its own model, a
 * real HTTP server on 127.0.0.1, and logged rows written straight through
 * the store.
 *
 * @module
 */
import { join } from "node:path";
import {
  featuresToCsvValues,
  formatCsvLine,
  readCsvFile,
  tableToFeatures,
} from "../../api/scoring/feature_csv.ts";
import type { Features } from "../../api/scoring/feature_vector.ts";
import { type ScoringModel } from "../../api/scoring/model.ts";
import type { PredictionRecord } from "../../api/store/mod.ts";
import { createTestApp, type TestApp, type TestAppOptions } from "../../api/testing/test_app.ts";
import { decide } from "../../api/scoring/model_meta.ts";

/** The bundled applications (`data/credit_data/test.csv`), as features of `model`. */
export async function creditRows(model: ScoringModel, limit = Infinity): Promise<Features[]> {
  const path = new URL("../../data/credit_data/test.csv", import.meta.url).pathname;
  return tableToFeatures(await readCsvFile(path), model.meta.features).slice(0, limit);
}

/** Writes a reference sample CSV: the rows' features and their `proba_default` under `model`. */
export async function writeReferenceCsv(
  path: string,
  model: ScoringModel,
  rows: readonly Features[],
): Promise<void> {
  const specs = model.meta.features;
  const scores = await model.scoreRows(rows);
  const lines = [formatCsvLine([...specs.map((s) => s.name), "proba_default"])];
  rows.forEach((row, i) =>
    lines.push(formatCsvLine([...featuresToCsvValues(row, specs), scores[i]]))
  );
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

/** A test app with a reference sample, and the rows it was built from. */
export interface SiteTestApp extends TestApp {
  referencePath: string;
  /** The applications of the reference sample. */
  rows: Features[];
}

/** Options for {@link createSiteTestApp}. */
export interface SiteTestOptions extends TestAppOptions {
  /** Write no reference sample (the site must cope). */
  withoutReference?: boolean;
  /** Rows of the reference sample. Default 400. */
  referenceRows?: number;
}

/** Builds the real app on a temp directory, with a reference sample scored by its model. */
export async function createSiteTestApp(options: SiteTestOptions = {}): Promise<SiteTestApp> {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_site_" });
  const referencePath = join(dir, "reference_sample.csv");
  const t = await createTestApp({
    ...options,
    site: {
      referencePath,
      driftReportPath: join(dir, "drift_report.json"),
      ...options.site,
    },
  });
  const rows = await creditRows(t.model, options.referenceRows ?? 400);
  if (!options.withoutReference) await writeReferenceCsv(referencePath, t.model, rows);
  const dispose = t[Symbol.asyncDispose];
  return Object.assign(t, {
    referencePath,
    rows,
    async [Symbol.asyncDispose]() {
      await dispose.call(t);
      await Deno.remove(dir, { recursive: true });
    },
  });
}

/** Logged rows for `features` scored by `model`, as the predictor writes them. */
export async function scoredRecords(
  model: ScoringModel,
  features: readonly Features[],
  options: { ts?: (i: number) => string; requestId?: (i: number) => string } = {},
): Promise<PredictionRecord[]> {
  const probas = await model.scoreRows(features);
  const { threshold, model_version } = model.meta;
  return features.map((f, i) => ({
    ts_utc: options.ts?.(i) ?? new Date().toISOString(),
    client_id: "",
    request_id: options.requestId?.(i) ?? `test-${i}-${crypto.randomUUID()}`,
    model_version,
    proba_default: probas[i],
    threshold,
    decision: decide(probas[i], threshold),
    latency_ms: 1 + (i % 5),
    input_json: JSON.stringify(f),
  }));
}

export { serveOnLocalhost } from "../../scripts/lib/serve.ts";
