import assert from "node:assert/strict";
import { createGroupCommitWriter } from "./group_commit.ts";

Deno.test("concurrent appends share one commit and all resolve after it", async () => {
  const commits: number[][] = [];
  const writer = createGroupCommitWriter<number>((rows) => void commits.push([...rows]), {
    maxDelayMs: 1,
  });
  const settled: number[] = [];
  const all = [1, 2, 3].map((n) => writer.append([n]).then(() => settled.push(n)));
  assert.equal(writer.depth, 3);
  assert.equal(commits.length, 0, "nothing commits synchronously");
  await Promise.all(all);
  assert.deepEqual(commits, [[1, 2, 3]]);
  assert.deepEqual(settled, [1, 2, 3]);
  assert.equal(writer.depth, 0);
});

Deno.test("a full queue commits at once, keeping rows in arrival order", async () => {
  const commits: string[][] = [];
  const writer = createGroupCommitWriter<string>((rows) => void commits.push([...rows]), {
    maxRows: 4,
    maxDelayMs: 1000,
  });
  const a = writer.append(["a1", "a2"]);
  const b = writer.append(["b1", "b2"]);
  assert.deepEqual(commits, [["a1", "a2", "b1", "b2"]], "flushed when 4 rows were queued");
  await Promise.all([a, b]);
});

Deno.test("a failed commit rejects every caller in that group, and the writer recovers", async () => {
  let fail = true;
  const committed: number[] = [];
  const failures: number[] = [];
  const writer = createGroupCommitWriter<number>((rows) => {
    if (fail) throw new Error("disk full");
    committed.push(...rows);
  }, { maxDelayMs: 1, onFailure: (n) => failures.push(n) });
  const results = await Promise.allSettled([writer.append([1]), writer.append([2, 3])]);
  assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
  assert.deepEqual(failures, [3]);
  assert.deepEqual(committed, []);
  fail = false;
  await writer.append([4]);
  assert.deepEqual(committed, [4], "failed rows are not retried behind the caller's back");
});

Deno.test("onCommit reports the size of each committed group", async () => {
  const sizes: number[] = [];
  const writer = createGroupCommitWriter<number>(() => {}, {
    maxDelayMs: 0,
    onCommit: (n) => sizes.push(n),
  });
  await Promise.all([writer.append([1, 2]), writer.append([3])]);
  await writer.append([4]);
  assert.deepEqual(sizes, [3, 1]);
});

Deno.test("an empty append resolves without a commit", async () => {
  let commits = 0;
  const writer = createGroupCommitWriter<number>(() => void commits++);
  await writer.append([]);
  writer.flush();
  assert.equal(commits, 0);
});
