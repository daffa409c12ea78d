import { equal } from "node:assert/strict";
import {
  DEFAULT_PSI_THRESHOLDS,
  exceedsNoise,
  maxLevel,
  parseDriftLevel,
  psiBand,
  psiVerdict,
  reachesLevel,
} from "./verdict.ts";

Deno.test("psiBand: < 0.1 low, [0.1, 0.2) moderate, [0.2, 0.3) high, ≥ 0.3 severe", () => {
  equal(psiBand(0), "low");
  equal(psiBand(0.0999), "low");
  equal(psiBand(0.1), "moderate");
  equal(psiBand(0.1999), "moderate");
  equal(psiBand(0.2), "high");
  equal(psiBand(0.2999), "high");
  equal(psiBand(0.3), "severe");
  equal(psiBand(5), "severe");
  equal(psiBand(0.15, { moderate: 0.05, high: 0.15, severe: 0.5 }), "high");
  equal(DEFAULT_PSI_THRESHOLDS.severe, 0.3);
});

Deno.test("psiVerdict: a PSI within 3 noise floors is low, whatever its band", () => {
  equal(psiVerdict(0.25, 0.1), "low"); // 0.25 < 3 · 0.1
  equal(psiVerdict(0.25, 0.05), "high"); // 0.25 ≥ 0.15
  equal(psiVerdict(0.31, 0.1), "severe");
  equal(psiVerdict(0.25, 0.1, { noiseMultiple: 2 }), "high");
  equal(psiVerdict(0.05, 0.001), "low");
  equal(exceedsNoise(0.31, 0.1), true);
  equal(exceedsNoise(0.29, 0.1), false);
});

Deno.test("maxLevel and reachesLevel order low < moderate < high < severe", () => {
  equal(maxLevel([]), "low");
  equal(maxLevel(["moderate", "severe", "high"]), "severe");
  equal(reachesLevel("high", "moderate"), true);
  equal(reachesLevel("high", "high"), true);
  equal(reachesLevel("high", "severe"), false);
  equal(reachesLevel("low", "moderate"), false);
  equal(reachesLevel("insufficient_data", "moderate"), false);
});

Deno.test("parseDriftLevel accepts only the level names", () => {
  equal(parseDriftLevel("severe"), "severe");
  equal(parseDriftLevel("insufficient_data"), undefined);
  equal(parseDriftLevel("SEVERE"), undefined);
});
