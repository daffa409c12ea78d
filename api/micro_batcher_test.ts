import assert from "node:assert/strict";
import fc from "fast-check";
import { createMicroBatcher } from "./micro_batcher.ts";

/** An async process whose batches complete when the test says so. */
function controlledProcess() {
  const batches: { items: number[]; finish(): void; fail(e: Error): void }[] = [];
  const process = (items: readonly number[]) =>
    new Promise<number[]>((resolve, reject) => {
      batches.push({
        items: [...items],
        finish: () => resolve(items.map((x) => x * 10)),
        fail: reject,
      });
    });
  return { batches, process };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

Deno.test("each caller gets the results of its own items, whatever the batch", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(fc.integer(), { maxLength: 5 }), { maxLength: 12 }),
      async (calls) => {
        const batcher = createMicroBatcher((items: readonly number[]) => items.map((x) => x * 2), {
          maxItems: 7,
        });
        const results = await Promise.all(calls.map((c) => batcher.submit(c)));
        assert.deepEqual(results, calls.map((c) => c.map((x) => x * 2)));
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("one batch runs at a time; items arriving meanwhile form the next batch", async () => {
  const { batches, process } = controlledProcess();
  const batcher = createMicroBatcher(process);
  const a = batcher.submit([1]);
  const b = batcher.submit([2]);
  await tick();
  assert.deepEqual(batches.map((x) => x.items), [[1, 2]], "same turn, same batch");
  const c = batcher.submit([3]);
  const d = batcher.submit([4, 5]);
  await tick();
  assert.equal(batches.length, 1, "no second batch while the first runs");
  batches[0].finish();
  assert.deepEqual(await a, [10]);
  assert.deepEqual(await b, [20]);
  await tick();
  assert.deepEqual(batches[1].items, [3, 4, 5]);
  batches[1].finish();
  assert.deepEqual(await Promise.all([c, d]), [[30], [40, 50]]);
});

Deno.test("a failed batch rejects all its callers and the next batch still runs", async () => {
  const { batches, process } = controlledProcess();
  const failures: number[] = [];
  const batcher = createMicroBatcher(process, { onFailure: (n) => failures.push(n) });
  const a = batcher.submit([1]);
  const b = batcher.submit([2, 3]);
  await tick();
  batches[0].fail(new Error("boom"));
  await assert.rejects(a, /boom/);
  await assert.rejects(b, /boom/);
  assert.deepEqual(failures, [3]);
  const c = batcher.submit([4]);
  await tick();
  batches[1].finish();
  assert.deepEqual(await c, [40]);
});

Deno.test("a result count that does not match the items is a failure, not a wrong answer", async () => {
  const batcher = createMicroBatcher((items: readonly number[]) => items.slice(1));
  await assert.rejects(batcher.submit([1, 2]), /2 items/);
});

Deno.test("drain waits until everything submitted so far is processed", async () => {
  const { batches, process } = controlledProcess();
  const batcher = createMicroBatcher(process);
  const a = batcher.submit([1]);
  let drained = false;
  const draining = batcher.drain().then(() => (drained = true));
  await tick();
  assert.equal(drained, false);
  batches[0].finish();
  await draining;
  assert.deepEqual(await a, [10]);
});

Deno.test("with a weight, batches are bounded and reported by weight, not by item count", async () => {
  const { batches, process } = controlledProcess();
  const sizes: number[] = [];
  const batcher = createMicroBatcher(process, {
    maxItems: 5,
    weight: (n: number) => n,
    onBatch: (size) => sizes.push(size),
  });
  const a = batcher.submit([2]);
  assert.equal(batcher.depth, 2);
  assert.equal(batches.length, 0, "weight 2 < 5: waits for the turn's end");
  const b = batcher.submit([3]);
  assert.deepEqual(batches.map((x) => x.items), [[2, 3]], "weight 5 reached: processed at once");
  assert.equal(batcher.depth, 0);
  batches[0].finish();
  assert.deepEqual(await Promise.all([a, b]), [[20], [30]]);
  assert.deepEqual(sizes, [5]);
});
