import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCsv } from "../api/scoring/feature_csv.ts";
import { sigmoid } from "../api/scoring/tree_ensemble.ts";
import { fixtureLogOdds, writeFixtureModel } from "../api/testing/fixture_model.ts";
import { parseScoreFileArgs, scoreFile, UsageError } from "./score_file.ts";

const HEADER =
  "id,Seniority,Home,Time,Age,Marital,Records,Job,Expenses,Income,Assets,Debt,Amount,Price";
const ROWS = [
  "a,9,rent,60,30,married,no,freelance,73,129,0,0,800,846",
  'b,1,"owner",36,46,married,yes,freelance,90,NA,3000,0,2000,2985',
  "c,0,parents,36,26,single,no,fixed,46,80,0,NA,310,910",
  "d,20,priv,60,36,married,yes,fixed,75,,3500,0,650,1645",
  "e,2,rent,60,36,married,no,fixed,75,300,3500,0,650,1645",
];

async function setUp(rows = ROWS) {
  const dir = await Deno.makeTempDir();
  const meta = await writeFixtureModel(dir, { threshold: 0.3 });
  const input = join(dir, "in.csv");
  await Deno.writeTextFile(input, `${HEADER}\n${rows.join("\n")}\n`);
  return { dir, meta, input, output: join(dir, "out.csv") };
}

Deno.test("scoreFile writes input columns, the fixture's probabilities and decisions", async () => {
  const { dir, input, output } = await setUp();
  try {
    for (const chunkSize of [1, 2, 1000]) {
      const result = await scoreFile({ input, output, artifactsDir: dir, chunkSize });
      const out = parseCsv(await Deno.readTextFile(output));
      const inp = parseCsv(await Deno.readTextFile(input));
      assert.deepEqual(out.columns, [
        ...inp.columns,
        "proba_default",
        "decision",
        "decision_label",
      ]);
      assert.equal(out.records.length, ROWS.length);
      let rejected = 0;
      out.records.forEach((row, i) => {
        for (const c of inp.columns) assert.equal(row[c], inp.records[i][c]);
        const r = inp.records[i];
        const expected = sigmoid(fixtureLogOdds({
          Records: r.Records,
          Income: r.Income === null ? null : Number(r.Income),
          Seniority: Number(r.Seniority),
        }));
        assert.ok(Math.abs(Number(row.proba_default) - expected) < 1e-6, `row ${i + 1}`);
        assert.equal(row.decision, expected >= 0.3 ? "1" : "0");
        assert.equal(row.decision_label, expected >= 0.3 ? "reject" : "approve");
        if (row.decision === "1") rejected++;
      });
      assert.equal(result.rows, ROWS.length);
      assert.equal(result.rejected, rejected);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scoreFile names row and column of an unknown level and writes nothing", async () => {
  const rows = [...ROWS.slice(0, 2), "x,1,castle,60,30,married,no,fixed,73,129,0,0,800,846"];
  const { dir, input, output } = await setUp(rows);
  try {
    await assert.rejects(
      () => scoreFile({ input, output, artifactsDir: dir, chunkSize: 10 }),
      /in\.csv: row 3 \(line 4\), column "Home": unknown level "castle"/,
    );
    await assert.rejects(() => Deno.stat(output), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scoreFile refuses a file without the model's feature columns", async () => {
  const { dir, output } = await setUp();
  const input = join(dir, "narrow.csv");
  await Deno.writeTextFile(input, "Seniority,Home\n1,rent\n");
  try {
    await assert.rejects(
      () => scoreFile({ input, output, artifactsDir: dir, chunkSize: 10 }),
      /lacks feature column\(s\): Time, Age, Marital/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseScoreFileArgs: defaults, help and clear errors", () => {
  assert.deepEqual(parseScoreFileArgs(["--in", "a.csv", "--out", "b.csv"]), {
    input: "a.csv",
    output: "b.csv",
    artifactsDir: "artifacts",
    chunkSize: 1000,
  });
  assert.equal(
    parseScoreFileArgs(["--in=a.csv", "--out=b.csv", "--chunk-size", "5", "--artifacts", "m"])
      ?.chunkSize,
    5,
  );
  assert.equal(parseScoreFileArgs(["--help"]), null);
  const fails = (args: string[], message: RegExp) =>
    assert.throws(
      () => parseScoreFileArgs(args),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  fails(["--out", "b.csv"], /--in FILE\.csv is required/);
  fails(["--in", "a.csv"], /--out FILE\.csv is required/);
  fails(["--in", "a.csv", "--out", "a.csv"], /must be different/);
  fails(["--in", "a.csv", "--out", "b.csv", "--chunk-size", "0"], /--chunk-size/);
  fails(["--in", "a.csv", "--out", "b.csv", "--chunk-size", "2.5"], /--chunk-size/);
  fails(["--in", "a.csv", "--out", "b.csv", "--bogus"], /bogus/);
  fails(["--in", "a.csv", "--out", "b.csv", "extra"], /extra/);
});
