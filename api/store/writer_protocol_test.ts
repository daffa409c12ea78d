import assert from "node:assert/strict";
import fc from "fast-check";
import type { PredictionRecord } from "./prediction_log.ts";
import { packRows, unpackRows } from "./writer_protocol.ts";

const record: fc.Arbitrary<PredictionRecord> = fc.record({
  ts_utc: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  request_id: fc.string({ minLength: 1 }),
  model_version: fc.string({ minLength: 1 }),
  proba_default: fc.double({ min: 0, max: 1, noNaN: true }),
  threshold: fc.double({ min: 0, max: 1, noNaN: true }),
  decision: fc.constantFrom("approve" as const, "reject" as const),
  latency_ms: fc.double({ min: 0, max: 1e4, noNaN: true }),
  input_json: fc.json(),
  reasons_json: fc.option(fc.json(), { nil: null }),
}).map((r) => ({ ...r })); // plain objects (fast-check builds them without a prototype)

Deno.test("rows survive packing for the writer thread unchanged", () => {
  fc.assert(
    fc.property(fc.array(record, { maxLength: 20 }), (rows) => {
      assert.deepEqual(unpackRows(structuredClone(packRows(rows))), rows);
    }),
  );
});

Deno.test("a row without reasons_json comes back with null", () => {
  const [row] = unpackRows(packRows([{
    ts_utc: "2026-01-01T00:00:00.000Z",
    request_id: "r",
    model_version: "m",
    proba_default: 0.5,
    threshold: 0.5,
    decision: "reject",
    latency_ms: 1,
    input_json: "{}",
  }]));
  assert.equal(row.reasons_json, null);
});
