import { deepEqual, equal, throws } from "node:assert/strict";
import { UsageError } from "./lib/flags.ts";
import { parseDriftArgs } from "./drift_args.ts";
import { DEFAULT_LIMIT } from "../monitoring/run_drift.ts";

const noEnv = (_: string) => undefined;

Deno.test("parseDriftArgs: defaults", () => {
  const o = parseDriftArgs([], noEnv);
  deepEqual(o.query, { limit: DEFAULT_LIMIT });
  equal(o.dbPath, "data/predictions.sqlite");
  equal(o.referencePath, null, "the model's own reference sample");
  equal(o.artifactsDir, "artifacts");
  equal(o.outPath, "outputs/monitoring/drift_report.json");
  equal(o.failOn, undefined);
  equal(o.bins, 10);
  equal(o.minRows, 200);
  equal(o.help, false);
});

Deno.test("parseDriftArgs: DB_PATH and ARTIFACTS_DIR set the defaults; flags win", () => {
  const env = (n: string) => ({ DB_PATH: "/env/db.sqlite", ARTIFACTS_DIR: "/env/art" })[n];
  const o = parseDriftArgs([], env);
  equal(o.dbPath, "/env/db.sqlite");
  equal(o.artifactsDir, "/env/art");
  equal(parseDriftArgs(["--db", "x.sqlite"], env).dbPath, "x.sqlite");
});

Deno.test("parseDriftArgs: window, fail-on, bins and min-rows", () => {
  const o = parseDriftArgs([
    "--limit=all",
    "--since=2025-01-01",
    "--until=2025-01-02T06:00:00+02:00",
    "--fail-on=high",
    "--bins=20",
    "--min-rows=50",
    "-h",
  ], noEnv);
  deepEqual(o.query, { since: "2025-01-01T00:00:00.000Z", until: "2025-01-02T04:00:00.000Z" });
  equal(o.failOn, "high");
  equal(o.bins, 20);
  equal(o.minRows, 50);
  equal(o.help, true);
});

Deno.test("parseDriftArgs: every bad value is a UsageError naming its flag", () => {
  for (
    const args of [
      ["--limit", "-5"],
      ["--limit", ""],
      ["--until", "2025-01-01T00:00:00"],
      ["--since", "2025-01-02", "--until", "2025-01-02"],
      ["--fail-on", "extreme"],
      ["--min-rows", "0"],
      ["--db", " "],
      ["--limit"],
      ["--verbose"],
    ]
  ) {
    throws(() => parseDriftArgs(args, noEnv), UsageError, args.join(" "));
  }
});

Deno.test("parseDriftArgs: --model-version selects a version's rows; empty is refused", () => {
  const o = parseDriftArgs(["--model-version", "v2", "--limit", "10"], noEnv);
  deepEqual(o.query, { limit: 10, modelVersion: "v2" });
  equal(o.modelVersion, "v2");
  throws(() => parseDriftArgs(["--model-version="], noEnv), UsageError);
});
