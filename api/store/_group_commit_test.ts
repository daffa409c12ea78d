import assert from "node:assert/strict";
import { createGroupCommitWriter } from "./_group_commit.ts";

const rowsOf = (entry: readonly number[]) => entry.length;
const logAll = (commits: number[][][]) => (entries: readonly (readonly number[])[]) => {
  commits.push(entries.map((e) => [...e]));
  return entries.map(() => "logged");
};

Deno.test("concurrent appends share one commit and all resolve after it", async () => {
  const commits: number[][][] = [];
  const writer = createGroupCommitWriter(logAll(commits), { rowsOf, maxDelayMs: 1 });
  const settled: number[] = [];
  const all = [1, 2, 3].map((n) => writer.append([n]).then(() => settled.push(n)));
  assert.equal(writer.depth, 3);
  assert.equal(commits.length, 0, "nothing commits synchronously");
  await Promise.all(all);
  assert.deepEqual(commits, [[[1], [2], [3]]]);
  assert.deepEqual(settled, [1, 2, 3]);
  assert.equal(writer.depth, 0);
});

Deno.test("a group is bounded by rows: a full queue commits at once, in arrival order", async () => {
  const commits: number[][][] = [];
  const writer = createGroupCommitWriter(logAll(commits), {
    rowsOf,
    maxRows: 4,
    maxDelayMs: 1000,
  });
  const a = writer.append([1, 2]);
  assert.equal(commits.length, 0);
  const b = writer.append([3, 4]);
  assert.deepEqual(commits, [[[1, 2], [3, 4]]], "flushed when 4 rows were queued");
  await Promise.all([a, b]);
});

Deno.test("each caller gets its own entry's result", async () => {
  const writer = createGroupCommitWriter(
    (entries: readonly (readonly number[])[]) =>
      entries.map((e) => e[0] < 0 ? "duplicate" : "logged"),
    { rowsOf },
  );
  assert.deepEqual(
    await Promise.all([writer.append([1]), writer.append([-1]), writer.append([2, 3])]),
    ["logged", "duplicate", "logged"],
  );
});

Deno.test("a failed commit rejects every caller in that group, and the writer recovers", async () => {
  let fail = true;
  const committed: number[] = [];
  const failures: number[] = [];
  const writer = createGroupCommitWriter((entries: readonly (readonly number[])[]) => {
    if (fail) throw new Error("disk full");
    committed.push(...entries.flat());
    return entries.map(() => "logged");
  }, { rowsOf, maxDelayMs: 1, onFailure: (n) => failures.push(n) });
  const results = await Promise.allSettled([writer.append([1]), writer.append([2, 3])]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
  assert.deepEqual(failures, [3]);
  assert.deepEqual(committed, []);
  fail = false;
  await writer.append([4]);
  assert.deepEqual(committed, [4], "failed rows are not retried behind the caller's back");
});

Deno.test("onCommit reports the rows of each committed group", async () => {
  const sizes: number[] = [];
  const writer = createGroupCommitWriter(logAll([]), {
    rowsOf,
    maxDelayMs: 0,
    onCommit: (n) => sizes.push(n),
  });
  await Promise.all([writer.append([1, 2]), writer.append([3])]);
  await writer.append([4]);
  assert.deepEqual(sizes, [3, 1]);
});
