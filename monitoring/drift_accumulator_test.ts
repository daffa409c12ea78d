import { deepEqual, equal, ok } from "node:assert/strict";
import { MISSING_LABEL, UNSEEN_LABEL } from "./binning.ts";
import { createDriftAccumulator } from "./drift_accumulator.ts";
import { loggedRow, sampleRows, TWO_FEATURES } from "./testing/drift_helpers.ts";
import { buildReferenceProfile } from "./reference_profile.ts";

const reference = sampleRows(3000, { seed: 1 });
const profile = buildReferenceProfile(reference, {
  features: TWO_FEATURES,
  threshold: 0.7,
  modelVersion: "v1",
});

function share(report: ReturnType<ReturnType<typeof createDriftAccumulator>["finish"]>) {
  return (feature: string, label: string) =>
    report.features[feature].bins.find((b) => b.label === label)?.prod_share;
}

Deno.test("the reference itself as production: every PSI is 0 and nothing alerts", () => {
  const acc = createDriftAccumulator(profile);
  reference.rows.forEach((r, i) =>
    acc.add(loggedRow(r, {
      proba_default: reference.scores[i],
      decision: reference.scores[i] >= 0.7 ? 1 : 0,
    }))
  );
  const report = acc.finish();
  equal(report.features.x.psi, 0);
  equal(report.features.c.psi, 0);
  equal(report.score_drift.psi, 0);
  equal(report.score_drift.delta, 0);
  equal(report.overall_verdict, "low");
  deepEqual(report.alerts, []);
  equal(report.window.n_production, 3000);
});

Deno.test("unseen levels, null and absent values are counted, not dropped", () => {
  const acc = createDriftAccumulator(profile, { minRows: 1 });
  acc.add(loggedRow({ x: 5, c: "zzz" }));
  acc.add(loggedRow({ x: null, c: null }));
  acc.add(loggedRow({}));
  acc.add(loggedRow({ x: 5, c: "a" }));
  const report = acc.finish();
  const prod = share(report);
  equal(prod("c", UNSEEN_LABEL), 0.25);
  equal(prod("c", MISSING_LABEL), 0.5);
  equal(prod("c", "a"), 0.25);
  equal(prod("x", MISSING_LABEL), 0.5);
  equal(report.features.x.missing_prod, 0.5);
  equal(report.features.c.n_production, 4);
});

Deno.test("unreadable input_json: counted in the window, left out of features, reported", () => {
  const acc = createDriftAccumulator(profile, { minRows: 1 });
  acc.add(loggedRow({ x: 5, c: "a" }));
  acc.add(loggedRow({}, { input_json: "{not json" }));
  acc.add(loggedRow({}, { input_json: "42" }));
  const report = acc.finish();
  equal(report.window.n_production, 3);
  equal(report.features.x.n_production, 1);
  const alert = report.alerts.find((a) => a.kind === "malformed_rows");
  ok(alert && alert.severity === "info" && alert.message.startsWith("2 "));
});

Deno.test("window: earliest/latest timestamps, versions, decisions, echoed query", () => {
  const acc = createDriftAccumulator(profile, {
    minRows: 1,
    query: { since: "2025-01-01T00:00:00.000Z", limit: 10 },
    now: () => new Date("2025-02-03T04:05:06.000Z"),
  });
  acc.add(loggedRow({ x: 1, c: "a" }, { ts_utc: "2025-01-02T00:00:00.000Z", decision: 1 }));
  acc.add(loggedRow({ x: 1, c: "a" }, { ts_utc: "2025-01-01T00:00:00.000Z", model_version: "v2" }));
  acc.add(loggedRow({ x: 1, c: "a" }, { ts_utc: "2025-01-03T00:00:00.000Z" }));
  equal(acc.rows, 3);
  const report = acc.finish();
  equal(report.generated_at, "2025-02-03T04:05:06.000Z");
  deepEqual(report.window, {
    first_ts: "2025-01-01T00:00:00.000Z",
    last_ts: "2025-01-03T00:00:00.000Z",
    n_production: 3,
    n_reference: 3000,
    since: "2025-01-01T00:00:00.000Z",
    until: null,
    limit: 10,
  });
  deepEqual(report.model_versions, { v1: 2, v2: 1 });
  equal(report.score_drift.decision_rate_prod, 1 / 3);
  ok(report.alerts.some((a) => a.kind === "model_version" && a.severity === "info"));
});

function drifted(n: number, scaleX: number) {
  const acc = createDriftAccumulator(profile);
  const prod = sampleRows(n, { seed: 2, scaleX });
  prod.rows.forEach((r, i) => acc.add(loggedRow(r, { proba_default: prod.scores[i] })));
  return acc.finish();
}

Deno.test("a drifted feature alerts alone; the undrifted one stays low", () => {
  const report = drifted(2000, 2);
  ok((report.features.x.psi as number) >= 0.3, `x PSI ${report.features.x.psi}`);
  equal(report.features.x.verdict, "severe");
  equal(report.features.c.verdict, "low");
  deepEqual(
    report.alerts.filter((a) => a.kind === "feature_drift").map((a) => a.feature),
    ["x"],
  );
  equal(report.overall_verdict, "severe");
  equal(report.top_psi[0].feature, "x");
});

Deno.test("below min_rows the verdict is insufficient_data and nothing else alerts", () => {
  const report = drifted(199, 2);
  equal(report.overall_verdict, "insufficient_data");
  equal(report.features.x.verdict, "insufficient_data");
  ok((report.features.x.psi as number) > 0.3); // still reported
  deepEqual(report.alerts.map((a) => a.kind), ["insufficient_data"]);
  equal(drifted(200, 2).overall_verdict, "severe");
});

Deno.test("an empty window gives null statistics and insufficient_data", () => {
  const report = createDriftAccumulator(profile).finish();
  equal(report.features.x.psi, null);
  equal(report.score_drift.psi, null);
  equal(report.window.first_ts, null);
  equal(report.overall_verdict, "insufficient_data");
  deepEqual(JSON.parse(JSON.stringify(report)), report);
});

Deno.test("data quality: far out-of-range values, wrong types and unseen levels alert per feature", () => {
  const acc = createDriftAccumulator(profile, { minRows: 10 });
  for (let i = 0; i < 100; i++) {
    const x = i < 10 ? 100_000 : i < 13 ? 150 : i < 20 ? ("12" as unknown as number) : 50;
    acc.add(loggedRow({ x, c: i < 5 ? "zzz" : i < 6 ? (7 as unknown as string) : "a" }));
  }
  const report = acc.finish();
  const q = report.data_quality!.features;
  deepEqual(q.x.range, { low: -100, high: 200 }, "reference range 0…100, one range beyond");
  equal(q.x.out_of_range, 10, "150 is past the maximum but not far");
  equal(q.x.wrong_type, 7);
  equal(q.c.unseen_level, 5);
  equal(q.c.wrong_type, 1);
  const dq = report.alerts.filter((a) =>
    ["out_of_range", "wrong_type", "unseen_level"].includes(a.kind)
  ).map((a) => `${a.kind}:${a.feature}:${a.severity}`).sort();
  // 10% out of range is ten times the 1% rule: high.
  deepEqual(dq, ["out_of_range:x:high", "unseen_level:c:moderate", "wrong_type:x:moderate"]);
});

Deno.test("chunks: per-hour counts show when a drift started", () => {
  const acc = createDriftAccumulator(profile, { chunk: "hour", minRows: 10, minChunkRows: 50 });
  const clean = sampleRows(600, { seed: 4 });
  const drifted = sampleRows(600, { seed: 5, scaleX: 3 });
  for (let h = 0; h < 6; h++) {
    const src = h < 3 ? clean : drifted;
    for (let i = h * 100; i < h * 100 + 100; i++) {
      acc.add(loggedRow(src.rows[i], {
        ts_utc: `2025-01-01T0${h}:${String(i % 60).padStart(2, "0")}:00.000Z`,
        decision: i % 4 === 0 ? 1 : 0,
      }));
    }
  }
  const chunks = acc.finish().chunks!;
  equal(chunks.size, "hour");
  deepEqual(
    chunks.rows.map((c) => c.start),
    [0, 1, 2, 3, 4, 5].map((h) => `2025-01-01T0${h}:00:00.000Z`),
  );
  deepEqual(chunks.rows.map((c) => c.n), [100, 100, 100, 100, 100, 100]);
  deepEqual(chunks.rows.map((c) => c.verdicts.x === "severe"), [
    false,
    false,
    false,
    true,
    true,
    true,
  ]);
  deepEqual(chunks.rows.map((c) => c.reject_rate), [0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
});
