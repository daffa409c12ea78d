import assert from "node:assert/strict";
import { parseGnuTime } from "./scale.ts";

Deno.test("parseGnuTime: wall time (m:ss and h:mm:ss) and peak RSS from `time -v`", () => {
  const report = (wall: string) =>
    `\tCommand being timed: "deno run x.ts"\n` +
    `\tElapsed (wall clock) time (h:mm:ss or m:ss): ${wall}\n` +
    `\tMaximum resident set size (kbytes): 174080\n`;
  assert.deepEqual(parseGnuTime(report("0:08.83")), { seconds: 8.83, rssMb: 170 });
  assert.equal(parseGnuTime(report("1:02:03"))?.seconds, 3723);
  assert.equal(parseGnuTime("no report"), null);
});
