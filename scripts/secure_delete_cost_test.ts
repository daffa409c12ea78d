import assert from "node:assert/strict";
import { runDenoScript } from "../api/testing/run_deno.ts";
import { measureSecureDelete } from "./secure_delete_cost.ts";

Deno.test("the secure_delete cost measures both settings through the store", async () => {
  const cost = await measureSecureDelete({ rows: 300, group: 50, reps: 1 });
  assert.equal(cost.rows, 300);
  assert.ok(cost.onRowsPerSecond > 0 && cost.offRowsPerSecond > 0);
  assert.ok(Math.abs(cost.ratio - cost.onRowsPerSecond / cost.offRowsPerSecond) < 0.01);
});

Deno.test("deno task secure-delete-cost prints one line, and refuses bad flags", async () => {
  const tasks = JSON.parse(await Deno.readTextFile("deno.json")).tasks;
  const permissions = (tasks["secure-delete-cost"] as string).split(" ")
    .filter((a) => a.startsWith("--allow"));
  const run = (args: string[]) =>
    runDenoScript("scripts/secure_delete_cost.ts", args, { permissions, cwd: "." });
  const ok = await run(["--rows", "200", "--reps", "1"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(
    ok.stdout,
    /^secure_delete: 200 rows × 1 runs each: on \d+ rows\/s, off \d+ rows\/s \(median\), on\/off = \d+\.\d{3}\n$/,
  );
  const bad = await run(["--rows", "lots"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--rows "lots": expected an integer/);
});
