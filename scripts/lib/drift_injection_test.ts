import { deepEqual, equal, ok, throws } from "node:assert/strict";
import type { Features } from "../../api/scoring/feature_vector.ts";
import {
  applyDrift,
  type DriftSpec,
  parseMissingSpec,
  parseScaleSpec,
  parseShiftSpec,
  planDrift,
} from "./drift_injection.ts";
import { sampleRows, TWO_FEATURES } from "../../monitoring/testing/drift_helpers.ts";
import { seededRandom } from "../../monitoring/seeded_random.ts";

// x: 10% missing; c: a/b/c at 0.5/0.3/0.2.
const source = sampleRows(20000, { seed: 11 }).rows;

function drift(specs: DriftSpec[], seed = 5): Features[] {
  const plan = planDrift(specs, { features: TWO_FEATURES, source });
  const rng = seededRandom(seed);
  return source.map((row) => applyDrift(plan, row, rng));
}

const shareOf = (rows: Features[], pred: (r: Features) => boolean) =>
  rows.filter(pred).length / rows.length;

Deno.test("parse specs: FEATURE=FACTOR, FEATURE=SHARE, FEATURE=LEVEL:SHARE", () => {
  deepEqual(parseScaleSpec("Income=1.5"), { kind: "scale", feature: "Income", factor: 1.5 });
  deepEqual(parseMissingSpec("Income=0.3"), { kind: "missing", feature: "Income", share: 0.3 });
  deepEqual(parseShiftSpec("Home=rent:0.5"), {
    kind: "shift",
    feature: "Home",
    level: "rent",
    share: 0.5,
  });
});

Deno.test("parse specs: malformed text gives a message naming the flag", () => {
  throws(() => parseScaleSpec("Income"), /--scale "Income": expected FEATURE=VALUE/);
  throws(() => parseScaleSpec("Income=abc"), /"abc" is not a number/);
  throws(() => parseScaleSpec("Income=0"), /factor must be > 0/);
  throws(() => parseMissingSpec("Income=1.2"), /share must be between 0 and 1/);
  throws(() => parseShiftSpec("Home=0.5"), /expected FEATURE=LEVEL:SHARE/);
  throws(() => parseShiftSpec("=rent:0.5"), /expected FEATURE=VALUE/);
});

Deno.test("planDrift checks features, types, levels and the direction of --missing", () => {
  const plan = (s: DriftSpec) => planDrift([s], { features: TWO_FEATURES, source });
  throws(() => plan({ kind: "scale", feature: "y", factor: 2 }), /unknown feature "y"/);
  throws(() => plan({ kind: "scale", feature: "c", factor: 2 }), /c is categorical/);
  throws(() => plan({ kind: "shift", feature: "x", level: "a", share: 0.5 }), /x is numeric/);
  throws(() => plan({ kind: "shift", feature: "c", level: "d", share: 0.5 }), /no level "d"/);
  throws(() => plan({ kind: "missing", feature: "x", share: 0.01 }), /only raising/);
});

Deno.test("scale multiplies every present value and leaves missing ones missing", () => {
  const out = drift([{ kind: "scale", feature: "x", factor: 1.5 }]);
  out.forEach((row, i) => {
    const before = source[i].x;
    equal(row.x, before === null ? null : (before as number) * 1.5);
    equal(row.c, source[i].c);
  });
});

Deno.test("missing raises the feature's missing share to the target", () => {
  const before = shareOf(source, (r) => r.x === null);
  ok(Math.abs(before - 0.1) < 0.01);
  const after = shareOf(
    drift([{ kind: "missing", feature: "x", share: 0.3 }]),
    (r) => r.x === null,
  );
  ok(Math.abs(after - 0.3) < 0.01, `missing share ${after}`);
});

Deno.test("shift sets a level's share, up or down; others keep their proportions", () => {
  const up = drift([{ kind: "shift", feature: "c", level: "c", share: 0.6 }]);
  ok(Math.abs(shareOf(up, (r) => r.c === "c") - 0.6) < 0.01);
  const down = drift([{ kind: "shift", feature: "c", level: "a", share: 0.1 }]);
  ok(Math.abs(shareOf(down, (r) => r.c === "a") - 0.1) < 0.01);
  // b : c stays 0.3 : 0.2 among the rest.
  const b = shareOf(down, (r) => r.c === "b");
  const c = shareOf(down, (r) => r.c === "c");
  ok(Math.abs(b / (b + c) - 0.6) < 0.02, `b share among others ${b / (b + c)}`);
});

Deno.test("applyDrift is deterministic per seed and does not change its input", () => {
  const specs: DriftSpec[] = [{ kind: "missing", feature: "x", share: 0.5 }];
  const snapshot = JSON.stringify(source.slice(0, 100));
  deepEqual(drift(specs, 9), drift(specs, 9));
  equal(JSON.stringify(source.slice(0, 100)), snapshot);
  const plan = planDrift([], { features: TWO_FEATURES, source });
  equal(applyDrift(plan, source[0], seededRandom(1)), source[0]);
});
