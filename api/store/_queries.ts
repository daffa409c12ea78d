/**
 * The store's query groups over one executor: written once, shared by both
 * backends, which add only the audit log's writer, the probe and erasure.
 *
 * @module
 */
import { comparisonReads } from "./_comparison.ts";
import type { Store } from "./_contract.ts";
import { modelStore } from "./_models.ts";
import { monitorStore } from "./_monitor.ts";
import { outcomeStore } from "./_outcomes.ts";
import { predictionReads } from "./_predictions.ts";
import { driftReportStore } from "./_reports.ts";
import { requestStatsStore } from "./_requests.ts";
import { rollupReads } from "./_rollups.ts";
import type { Sql } from "./_sql.ts";

/** Every query group of the contract, over `sql`. */
export function storeQueries(
  sql: Sql,
): Pick<
  Store,
  | "predictions"
  | "comparison"
  | "rollups"
  | "requests"
  | "outcomes"
  | "reports"
  | "monitor"
  | "models"
> {
  return {
    predictions: predictionReads(sql),
    comparison: comparisonReads(sql),
    rollups: rollupReads(sql),
    requests: requestStatsStore(sql),
    outcomes: outcomeStore(sql),
    reports: driftReportStore(sql),
    monitor: monitorStore(sql),
    models: modelStore(sql),
  };
}
