import assert from "node:assert/strict";
import { serviceEnv, taskArgv } from "./service.ts";

Deno.test("taskArgv: the task's own flags, widened to one directory, extra flags after run", () => {
  const task = "deno run --allow-read=.,/data --allow-write=data,/data,outputs " +
    "--allow-env=PORT,DB_PATH --allow-net=0.0.0.0,127.0.0.1 main.ts";
  assert.deepEqual(taskArgv(task, "/tmp/x"), [
    "deno",
    "run",
    "--allow-read=.,/data,/tmp/x",
    "--allow-write=data,/data,outputs,/tmp/x",
    "--allow-env=PORT,DB_PATH",
    "--allow-net=0.0.0.0,127.0.0.1",
    "main.ts",
  ]);
  assert.deepEqual(
    taskArgv(`deno task build && ${task}`, "/tmp/x"),
    taskArgv(task, "/tmp/x"),
    "build steps before the service are skipped",
  );
  assert.deepEqual(
    taskArgv("deno run --allow-net main.ts", "/d", ["--cpu-prof"]),
    ["deno", "run", "--cpu-prof", "--allow-read=/d", "--allow-write=/d", "--allow-net", "main.ts"],
    "a task without read/write permissions gets them for the directory only",
  );
  assert.throws(() => taskArgv("node api/main.js", "/tmp/x"), /no "deno run" step/);
});

Deno.test("serviceEnv: every setting at its default, overrides on top, unknown names refused", () => {
  const env = serviceEnv({ LOG_FLUSH_MS: "5" });
  assert.equal(env.LOG_FLUSH_MS, "5");
  assert.equal(env.DB_SYNCHRONOUS, "FULL");
  assert.equal(env.API_KEYS, "");
  assert.throws(() => serviceEnv({ LOG_WRITER: "worker" }), /LOG_WRITER: not a service setting/);
});
