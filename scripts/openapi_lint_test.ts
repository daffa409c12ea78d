import assert from "node:assert/strict";
import { runDenoScript } from "../api/testing/run_deno.ts";

Deno.test("deno task openapi:lint lints the served document and finds no error", async () => {
  const tasks = JSON.parse(await Deno.readTextFile("deno.json")).tasks;
  const permissions = (tasks["openapi:lint"] as string).split(" ").filter((a) =>
    a.startsWith("--allow")
  );
  for (const args of [[], ["--keys"]]) {
    const run = await runDenoScript("scripts/openapi_lint.ts", args, { permissions, cwd: "." });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^openapi:lint: 0 error\(s\), \d+ warning\(s\)$/m, args.join(" "));
  }
});
