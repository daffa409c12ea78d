import { deepEqual, equal, throws } from "node:assert/strict";
import {
  parseChoiceFlag,
  parseIntegerFlag,
  parseKeyValueFlags,
  parseNumberFlag,
  parseTimestampFlag,
  UsageError,
} from "./flags.ts";

Deno.test("parseTimestampFlag: dates and zoned date-times become the store's ISO form", () => {
  equal(parseTimestampFlag("since", "2025-01-31"), "2025-01-31T00:00:00.000Z");
  equal(parseTimestampFlag("since", "2025-01-31T12:30:00Z"), "2025-01-31T12:30:00.000Z");
  equal(parseTimestampFlag("since", "2025-01-31T12:30:00+02:00"), "2025-01-31T10:30:00.000Z");
  equal(parseTimestampFlag("since", "2025-01-31T12:30Z"), "2025-01-31T12:30:00.000Z");
});

Deno.test("parseTimestampFlag: refuses zone-less times, impossible dates and free text", () => {
  for (
    const bad of [
      "2025-01-31T12:00:00",
      "2025-13-01",
      "2025-02-30",
      "2025-01-31T25:00Z",
      "yesterday",
      "",
    ]
  ) {
    throws(
      () => parseTimestampFlag("until", bad),
      (e: Error) =>
        e instanceof UsageError && e.message.startsWith(`--until ${JSON.stringify(bad)}`),
    );
  }
});

Deno.test("parseIntegerFlag / parseNumberFlag: bounds and syntax", () => {
  equal(parseIntegerFlag("bins", "10", { min: 2, max: 100 }), 10);
  throws(() => parseIntegerFlag("bins", "1", { min: 2, max: 100 }), /expected an integer 2\.\.100/);
  throws(() => parseIntegerFlag("limit", "1.5", { min: 1 }), /expected an integer ≥ 1/);
  throws(() => parseIntegerFlag("limit", "1e3", { min: 1 }), UsageError);
  equal(parseNumberFlag("spread-hours", "1.5", { min: 0 }), 1.5);
  throws(() => parseNumberFlag("spread-hours", "-1", { min: 0 }), /expected a number ≥ 0/);
  throws(() => parseNumberFlag("spread-hours", "Infinity", { min: 0 }), UsageError);
});

Deno.test("parseChoiceFlag / parseKeyValueFlags", () => {
  equal(parseChoiceFlag("generator", "wrk", ["auto", "wrk", "fetch"]), "wrk");
  throws(() => parseChoiceFlag("generator", "ab", ["auto", "wrk"]), /expected auto, wrk/);
  deepEqual(parseKeyValueFlags("env", ["A=1", "B=x=y", "C="]), { A: "1", B: "x=y", C: "" });
  throws(() => parseKeyValueFlags("env", ["=1"]), /--env "=1": expected KEY=VALUE/);
});
