/**
 * Demo data for the monitoring site (screenshots, page benchmark): logged
 * predictions written by the traffic simulator (`simulate_traffic.ts`: real
 * applications, real model, real store), optionally with a drifted recent
 * segment, plus synthetic request statistics for the same minutes.
 *
 * The request statistics are synthetic (like the simulator's latencies): the
 * simulator writes predictions in bulk, not through HTTP, so each minute with
 * predictions gets `POST /predict` counts equal to its predictions, a share
 * of 4xx and a few 5xx, a latency histogram drawn from a lognormal around a
 * few ms, and a trickle of health checks and page views.
 *
 * @module
 */
import { createRequestAggregator } from "../api/metrics/request_aggregator.ts";
import type { Store } from "../api/store/mod.ts";
import type { DriftSpec } from "./lib/drift_injection.ts";
import { type Random, seededRandom } from "../monitoring/seeded_random.ts";
import { simulateTraffic } from "./simulate.ts";

/** Options for {@link fillDemoDatabase}. */
export interface DemoDataOptions {
  dbPath: string;
  /** Predictions in total. */
  n: number;
  /** They span this many hours up to `now`. */
  hours: number;
  now: Date;
  /** The last `driftHours` get this drift (share of rows ∝ time). */
  drift?: { hours: number; specs: DriftSpec[] };
  artifactsDir?: string;
  /** Applications to draw from. Default: the model's reference sample. */
  sourcePath?: string;
  batchSize?: number;
  /** Share of predictions whose true outcome is recorded too (default 0). */
  outcomes?: number;
  onProgress?: (rows: number) => void;
}

/** Writes the predictions (through the simulator and the store). */
export async function fillDemoDatabase(options: DemoDataOptions): Promise<void> {
  const end = options.now.getTime();
  const start = end - options.hours * 3_600_000;
  const driftHours = Math.min(options.drift?.hours ?? 0, options.hours);
  const driftRows = Math.round(options.n * driftHours / options.hours);
  const common = {
    dbPath: options.dbPath,
    artifactsDir: options.artifactsDir ?? "artifacts",
    sourcePath: options.sourcePath ?? null,
    batchSize: options.batchSize ?? 20_000,
    outcomes: options.outcomes ?? 0,
    labelNoise: 0,
  };
  const base = options.n - driftRows;
  if (base > 0) {
    await simulateTraffic({
      ...common,
      n: base,
      seed: 1,
      startMs: start,
      spreadHours: options.hours - driftHours,
      drift: [],
    }, { onProgress: options.onProgress });
  }
  if (driftRows > 0) {
    await simulateTraffic({
      ...common,
      n: driftRows,
      seed: 2,
      startMs: end - driftHours * 3_600_000,
      spreadHours: driftHours,
      drift: options.drift!.specs,
    }, { onProgress: (r) => options.onProgress?.(base + r) });
  }
}

function lognormalMs(rng: Random, medianMs: number, sigma: number): number {
  const u1 = Math.max(rng.next(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.next());
  return medianMs * Math.exp(sigma * z);
}

/**
 * Writes synthetic request statistics for every minute holding predictions
 * (see the module doc). Returns the rows written.
 */
export async function writeSyntheticRequestStats(
  store: Pick<Store, "rollups" | "requests">,
  seed = 7,
): Promise<number> {
  const rng = seededRandom(seed);
  // One small row per minute (≤ 10,080 a week): read them all before writing.
  const minutes = (await store.rollups.series({ bucketMinutes: 1 }))
    .map((b) => ({ minute: b.minute, n: b.n }));
  // The middleware's own aggregator turns the synthetic samples into rows.
  const agg = createRequestAggregator();
  let written = 0;
  const flush = async () => {
    const rows = agg.drain();
    await store.requests.add(rows);
    written += rows.length;
  };
  for (const { minute, n } of minutes) {
    const add = (route: string, status: number, ms: number) =>
      agg.add({ minute, route, status, ms });
    for (let i = 0; i < n; i++) add("POST /predict", 200, lognormalMs(rng, 2.5, 0.6));
    for (let i = 0; i < n; i++) {
      if (rng.next() < 0.02) add("POST /predict", 422, lognormalMs(rng, 0.8, 0.4));
    }
    if (rng.next() < 0.01) add("POST /predict", 503, lognormalMs(rng, 40, 0.5));
    add("GET /health/ready", 200, lognormalMs(rng, 0.6, 0.3));
    if (rng.next() < 0.05) add("GET /monitor", 200, lognormalMs(rng, 15, 0.5));
    if (agg.size >= 5000) await flush();
  }
  await flush();
  return written;
}
