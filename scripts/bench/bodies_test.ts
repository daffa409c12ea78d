import { strict as assert } from "node:assert";
import fc from "fast-check";
import { batchBodies, loadBenchRows, predictBodies } from "./bodies.ts";

Deno.test("batchBodies takes the rows in order and wraps around", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 30 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 6 }),
      (nRows, size, count) => {
        const rows = Array.from({ length: nRows }, (_, i) => ({ Age: i }));
        const bodies = batchBodies(rows, size, count).map((b) => JSON.parse(b).rows);
        assert.equal(bodies.length, count);
        const flat = bodies.flat().map((r: { Age: number }) => r.Age);
        assert.equal(flat.length, size * count);
        flat.forEach((age: number, i: number) => assert.equal(age, i % nRows));
      },
    ),
  );
});

Deno.test("batchBodies by default uses every row at least once", () => {
  const rows = Array.from({ length: 7 }, (_, i) => ({ Age: i }));
  const bodies = batchBodies(rows, 3);
  assert.equal(bodies.length, 3);
  assert.throws(() => batchBodies(rows, 0), RangeError);
});

Deno.test("loadBenchRows reads the test file with the model's features", async () => {
  const { rows, modelVersion } = await loadBenchRows();
  assert.ok(rows.length > 100);
  assert.ok(modelVersion.length > 0);
  const body = JSON.parse(predictBodies(rows.slice(0, 1))[0]);
  // test.csv's first data row (see the file): Seniority 17, Home "rent"
  assert.equal(body.features.Seniority, 17);
  assert.equal(body.features.Home, "rent");
  assert.equal("Status" in body.features, false);
});
