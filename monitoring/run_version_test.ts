import assert from "node:assert/strict";
import { join } from "node:path";
import { readModelMeta } from "../api/scoring/model_meta.ts";
import { openStore } from "../api/store/mod.ts";
import { buildReferenceProfile } from "./reference_profile.ts";
import {
  computeVersionDrift,
  computeVersionPerformance,
  loadVersionReference,
} from "./run_version.ts";
import { loggedRow, sampleRows, TWO_FEATURES } from "./testing/drift_helpers.ts";

const meta = await readModelMeta("artifacts");
const referencePath = join("artifacts", meta.reference.file);

Deno.test("a version's reference comes from its own artifacts; another version's are refused", async () => {
  const ref = await loadVersionReference(meta.model_version, { meta, referencePath });
  assert.equal(ref.profile.modelVersion, meta.model_version);
  await assert.rejects(
    loadVersionReference("v-other", { meta, referencePath }),
    { message: new RegExp(`model ${meta.model_version}, not v-other`) },
  );
});

Deno.test("per-version drift and performance read the rows the version answered and shadowed", async () => {
  const store = await openStore(":memory:");
  const { rows } = sampleRows(30, { seed: 3 });
  // m1 answers rows 0–19 (m2 shadows the even ones); m2 answers rows 20–29.
  for (const [i, features] of rows.entries()) {
    const m2Answers = i >= 20;
    const row = loggedRow(features, {
      ts_utc: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
      model_version: m2Answers ? "m2" : "m1",
      proba_default: m2Answers ? 0.9 : 0.1,
      decision: m2Answers ? 1 : 0,
    });
    await store.append({
      rows: [{ ...row, client_id: "", request_id: `r${i}`, threshold: 0.5, latency_ms: 1 }],
      shadows: !m2Answers && i % 2 === 0
        ? [{ row: 0, model_version: "m2", proba_default: 0.7, threshold: 0.5, decision: 1 }]
        : [],
    });
    if (i === 0 || i === 20) {
      await store.outcomes.record(
        { request_id: `r${i}`, outcome: "default", observed_at: "2026-02-01T00:00:00.000Z" },
        new Date("2026-02-01T00:00:00.000Z"),
      );
    }
  }
  const profile = buildReferenceProfile(sampleRows(300, { seed: 4 }), {
    features: TWO_FEATURES,
    threshold: 0.5,
    modelVersion: "m2",
  });
  const m2 = { ...meta, model_version: "m2" };
  const report = await computeVersionDrift(store, { meta: m2, profile }, { minRows: 1 });
  // 10 shadowed (rows 0, 2, …, 18) + 10 answered.
  assert.equal(report.window.n_production, 20);
  assert.deepEqual(report.model_versions, { m2: 20 });
  assert.equal(report.score_drift.decision_rate_prod, 1);
  assert.equal(report.reference_model_version, "m2");
  assert.equal(report.performance?.n_predictions, 20);
  assert.equal(report.performance?.n_labelled, 2);
  const m1 = await computeVersionPerformance(store, { ...meta, model_version: "m1" });
  assert.equal(m1.n_predictions, 20);
  assert.equal(m1.n_labelled, 1);
  assert.equal(m1.realised?.mean_predicted, 0.1);
  await store.close();
});
