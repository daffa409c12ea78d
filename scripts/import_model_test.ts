import assert from "node:assert/strict";
import { join } from "node:path";
import { runDenoScript } from "../api/testing/run_deno.ts";
import { UsageError } from "./lib/flags.ts";
import { parseImportArgs } from "./import_model.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const FIXTURES = join(ROOT, "api/scoring/testdata/models");

Deno.test("parseImportArgs: every option, and the usage errors", () => {
  assert.deepEqual(
    parseImportArgs([
      "--out=o",
      "--onnx=m.onnx",
      "--data=d.csv",
      "--target=y",
      "--positive=bad",
      "--columns=c.json",
      "--cost-fn=5",
      "--output=p",
      "--output-column=1",
      "--reasons=r.json",
      "--name=N",
    ]),
    {
      out: "o",
      source: { kind: "onnx", path: "m.onnx" },
      data: "d.csv",
      target: "y",
      positive: "bad",
      columns: "c.json",
      threshold: undefined,
      costs: { false_negative: 5, false_positive: 1 },
      output: "p",
      outputColumn: 1,
      reasons: "r.json",
      name: "N",
    },
  );
  assert.equal(parseImportArgs(["-h"]), null);
  const usage: [string[], RegExp][] = [
    [["--onnx=m", "--data=d"], /--out DIR is required/],
    [["--out=o", "--onnx=m"], /--data SAMPLE\.csv is required/],
    [["--out=o", "--data=d"], /exactly one of --onnx/],
    [["--out=o", "--data=d", "--onnx=m", "--xgboost=j"], /exactly one of --onnx/],
    [
      ["--out=o", "--data=d", "--onnx=m", "--target=y"],
      /--target COL and --positive LABEL go together/,
    ],
    [["--out=o", "--data=d", "--onnx=m", "--threshold=0.2", "--cost-fp=2"], /not both/],
    [["--out=o", "--data=d", "--onnx=m", "--threshold=1"], /between 0 and 1/],
    [["--out=o", "--data=d", "--onnx=m", "--output-column=-1"], /output-column/],
  ];
  for (const [args, message] of usage) {
    assert.throws(() => parseImportArgs(args), (err: Error) => {
      assert.ok(err instanceof UsageError, err.message);
      assert.match(err.message, message);
      return true;
    });
  }
});

Deno.test("import-model CLI: 0 and a summary, 2 on bad usage, 3 when refused, 1 on errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "import_cli_" });
  const run = (...args: string[]) =>
    runDenoScript("scripts/import_model.ts", args, {
      permissions: [`--allow-read=${ROOT},${dir}`, `--allow-write=${dir}`],
      cwd: ROOT,
    });
  try {
    const fixture = join(FIXTURES, "torch_mlp");
    const ok = await run(
      "--out",
      join(dir, "mlp"),
      "--onnx",
      join(fixture, "model.onnx"),
      "--data",
      join(fixture, "sample.csv"),
      "--target",
      "Status",
      "--positive",
      "bad",
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^imported onnx-[0-9a-f]{12} \(model\.onnx \(imported\)\)/);
    assert.match(ok.stdout, /native onnxruntime not compared \(no FFI permission/);
    assert.match(
      ok.stdout,
      /reasons\s+sampling Shapley values \(8 permutations × 32 reference rows/,
    );
    assert.match(ok.stdout, /serve it: ARTIFACTS_DIR=.*mlp deno task start/);

    const help = await run("--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: deno task import-model/);
    const usage = await run("--out", dir);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr.trim(), "import-model: --data SAMPLE.csv is required (see --help)");

    const two = join(FIXTURES, "refuse_two_inputs");
    const refused = await run(
      "--out",
      join(dir, "two"),
      "--onnx",
      join(two, "model.onnx"),
      "--data",
      join(two, "sample.csv"),
      "--target",
      "Status",
      "--positive",
      "bad",
    );
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /^import-model: refused: the model has 2 inputs/);

    const missing = await run(
      "--out",
      join(dir, "x"),
      "--onnx",
      join(dir, "none.onnx"),
      "--data",
      join(fixture, "sample.csv"),
      "--threshold",
      "0.5",
    );
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^import-model: .*(Status|none\.onnx)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
