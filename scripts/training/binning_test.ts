import assert from "node:assert/strict";
import fc from "fast-check";
import {
  applyBins,
  binIndex,
  categoricalEdges,
  fitBins,
  missingBin,
  numericEdges,
  valueBins,
} from "./binning.ts";

Deno.test("few distinct values: a cut between each consecutive pair, NaN ignored", () => {
  assert.deepEqual(numericEdges([3, 1, NaN, 2, 3, 1], 256), [1.5, 2.5]);
  assert.deepEqual(numericEdges([5, 5, 5], 256), []);
  assert.deepEqual(numericEdges([], 256), []);
});

Deno.test("many distinct values: quantile cuts give bins of similar size", () => {
  const values = Array.from({ length: 1000 }, (_, i) => i);
  const edges = numericEdges(values, 10);
  assert.equal(edges.length, 9);
  const column = { edges };
  const sizes = new Array(valueBins(column)).fill(0);
  for (const v of values) sizes[binIndex(column, v)]++;
  sizes.forEach((size) => assert.equal(size, 100));
});

Deno.test("a heavy value does not make a run of tiny bins after it", () => {
  const values = [...new Array(900).fill(0), ...Array.from({ length: 100 }, (_, i) => i + 1)];
  const edges = numericEdges(values, 10);
  assert.equal(edges[0], 0.5, "the heavy value gets its own bin");
  assert.ok(edges.length <= 2, `edges ${edges}`);
});

Deno.test("categorical columns get one bin per level", () => {
  assert.deepEqual(categoricalEdges(4), [0.5, 1.5, 2.5]);
  assert.deepEqual(categoricalEdges(1), []);
  const column = { edges: categoricalEdges(4) };
  assert.deepEqual([0, 1, 2, 3, NaN].map((v) => binIndex(column, v)), [0, 1, 2, 3, 4]);
  assert.equal(missingBin(column), 4);
});

Deno.test("cut points between adjacent float32 values stay strictly above the lower one", () => {
  const a = Math.fround(0.1);
  const b = new Float32Array(
    new Uint32Array([new Uint32Array(new Float32Array([a]).buffer)[0] + 1]).buffer,
  )[0];
  const [edge] = numericEdges(Float32Array.from([a, b]), 256);
  assert.ok(a < edge && edge <= b);
  assert.equal(edge, Math.fround(edge));
});

Deno.test("bin b holds exactly the values edges[b-1] <= v < edges[b] (property)", () => {
  const value = fc.oneof(
    { weight: 1, arbitrary: fc.constant(NaN) },
    {
      weight: 6,
      arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    },
  );
  fc.assert(
    fc.property(
      fc.array(value, { maxLength: 80 }),
      fc.integer({ min: 2, max: 12 }),
      (values, maxBins) => {
        const matrix = Float32Array.from(values);
        const [column] = fitBins(matrix, { nFeatures: 1, levelCounts: [null], maxBins });
        assert.ok(valueBins(column) <= maxBins);
        column.edges.forEach((e, i) => {
          assert.equal(e, Math.fround(e));
          if (i > 0) assert.ok(column.edges[i - 1] < e);
        });
        const { codes } = applyBins(matrix, [column]);
        matrix.forEach((v, r) => {
          const b = codes[0][r];
          if (Number.isNaN(v)) return assert.equal(b, missingBin(column));
          // The split "bins 0..k left" is the float split v < edges[k], for every k.
          column.edges.forEach((edge, k) => assert.equal(b <= k, v < edge));
        });
      },
    ),
  );
});

Deno.test("applyBins codes a row-major matrix column by column", () => {
  const matrix = Float32Array.from([1, 0, 2, 1, 3, NaN]); // rows: (1,0) (2,1) (3,NaN)
  const columns = fitBins(matrix, { nFeatures: 2, levelCounts: [null, 2], maxBins: 256 });
  const { nRows, codes } = applyBins(matrix, columns);
  assert.equal(nRows, 3);
  assert.deepEqual([...codes[0]], [0, 1, 2]);
  assert.deepEqual([...codes[1]], [0, 1, 2]);
});
