import { deepEqual, equal, rejects } from "node:assert/strict";
import { join } from "node:path";
import { openStore } from "../api/store/mod.ts";
import { loggedRow, sampleRows, TWO_FEATURES } from "./testing/drift_helpers.ts";
import { buildReferenceProfile } from "./reference_profile.ts";
import { computeDrift, openStoreForReading } from "./run_drift.ts";

const profile = buildReferenceProfile(sampleRows(500, { seed: 1 }), {
  features: TWO_FEATURES,
  threshold: 0.5,
});

Deno.test("computeDrift: streams the window through the accumulator, reporting progress", async () => {
  const store = await openStore(":memory:");
  const { rows } = sampleRows(250, { seed: 2 });
  await store.append({
    rows: rows.map((r, i) => ({
      ...loggedRow(r, { ts_utc: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString() }),
      client_id: "",
      request_id: `r${i}`,
      threshold: 0.5,
      latency_ms: 1,
    })),
  });
  const progress: number[] = [];
  const report = await computeDrift(store, profile, {
    query: { limit: 120 },
    onProgress: (n) => progress.push(n),
    progressEvery: 50,
    minRows: 100,
  });
  deepEqual(progress, [50, 100, 120]);
  equal(report.window.n_production, 120);
  equal(report.window.limit, 120);
  equal(report.window.last_ts, "2025-01-01T04:09:00.000Z"); // the most recent rows
  equal(report.features.c.n_production, 120);
  await store.close();
});

Deno.test("openStoreForReading: a clear error for a missing file", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "missing.sqlite");
  await rejects(openStoreForReading(path), { message: `${path}: database not found` });
  await Deno.remove(dir);
});
