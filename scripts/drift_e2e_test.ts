/**
 * End to end: simulated traffic from the held-out test set, written through
 * the real store, compared with the reference sample by `runDrift`. Clean
 * traffic must raise no feature alert; traffic with one injected drift must
 * raise alerts on exactly the drifted feature.
 *
 * Runs with the fixture model (reference = training rows scored by it) and,
 * with the real artifacts and their reference sample
 * (`artifacts/reference_sample.csv`), when `deno task train` has produced them.
 */
import { deepEqual, ok } from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeFixtureModel } from "../api/testing/fixture_model.ts";
import { simulateTraffic } from "./simulate.ts";
import type { DriftSpec } from "./lib/drift_injection.ts";
import type { DriftReport } from "../monitoring/drift_report.ts";
import { writeReferenceSample } from "../monitoring/testing/drift_helpers.ts";
import { runDrift } from "../monitoring/run_drift.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const TEST_CSV = join(ROOT, "data/credit_data/test.csv");
const REAL_ARTIFACTS = join(ROOT, "artifacts");
const REAL_REFERENCE = join(REAL_ARTIFACTS, "reference_sample.csv");
const realAvailable = existsSync(join(REAL_ARTIFACTS, "model_meta.json")) &&
  existsSync(REAL_REFERENCE);

const SCENARIOS: {
  name: string;
  drift: DriftSpec[];
  alerting: string[];
  /** When given: exactly these kinds of alert (info ones included). */
  kinds?: string[];
}[] = [
  { name: "clean", drift: [], alerting: [], kinds: [] },
  {
    name: "broken join: Expenses of another applicant",
    drift: [{ kind: "decouple", feature: "Expenses" }],
    alerting: [],
    kinds: ["multivariate_drift"],
  },
  {
    name: "Income × 1.5",
    drift: [{ kind: "scale", feature: "Income", factor: 1.5 }],
    alerting: ["Income"],
  },
  {
    name: "Debt 20% missing",
    drift: [{ kind: "missing", feature: "Debt", share: 0.2 }],
    alerting: ["Debt"],
  },
  {
    name: "Home rent at 50%",
    drift: [{ kind: "shift", feature: "Home", level: "rent", share: 0.5 }],
    alerting: ["Home"],
  },
];

/** Features named by any alert (feature drift or missing rate). */
function alertingFeatures(report: DriftReport): string[] {
  return [...new Set(report.alerts.flatMap((a) => (a.feature === undefined ? [] : [a.feature])))]
    .sort();
}

async function runScenarios(
  t: Deno.TestContext,
  setup: { artifactsDir: string; referencePath: string },
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "drift_e2e_" });
  try {
    await runEach(t, setup, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function runEach(
  t: Deno.TestContext,
  setup: { artifactsDir: string; referencePath: string },
  dir: string,
): Promise<void> {
  for (const [i, scenario] of SCENARIOS.entries()) {
    await t.step(scenario.name, async () => {
      const dbPath = join(dir, `s${i}.sqlite`);
      await simulateTraffic({
        n: 2000,
        dbPath,
        artifactsDir: setup.artifactsDir,
        sourcePath: TEST_CSV,
        seed: 100 + i,
        startMs: Date.parse("2025-06-01T00:00:00Z"),
        spreadHours: 48,
        drift: scenario.drift,
        batchSize: 2000,
      });
      const report = await runDrift({ ...setup, dbPath, query: { limit: 2000 } });
      deepEqual(alertingFeatures(report), scenario.alerting, JSON.stringify(report.alerts));
      if (scenario.kinds) {
        const kinds = report.alerts.map((a) => a.kind);
        deepEqual(kinds, scenario.kinds, JSON.stringify(report.alerts));
      }
      for (const name of scenario.alerting) {
        ok(report.features[name].verdict !== "low" || report.features[name].missing_alert);
      }
    });
  }
}

Deno.test("end to end with the fixture model: exactly the drifted features alert", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "drift_e2e_fixture_" });
  try {
    const artifactsDir = join(dir, "artifacts");
    await Deno.mkdir(artifactsDir);
    await writeFixtureModel(artifactsDir);
    const referencePath = join(dir, "reference.csv");
    await writeReferenceSample(referencePath, {
      artifactsDir,
      sourcePath: join(ROOT, "data/credit_data/train.csv"),
    });
    await runScenarios(t, { artifactsDir, referencePath });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "end to end with the trained model and reference sample: exactly the drifted features alert",
  ignore: !realAvailable,
  fn: (t) => runScenarios(t, { artifactsDir: REAL_ARTIFACTS, referencePath: REAL_REFERENCE }),
});
