import assert from "node:assert/strict";
import fc from "fast-check";
import { FIXTURE_FEATURES } from "../testing/fixture_model.ts";
import {
  assertFeatureColumns,
  FeatureCsvError,
  featuresToCsvValues,
  formatCsvLine,
  parseCsv,
  parseNumericField,
  readCsvFile,
  recordToFeatures,
  tableToFeatures,
} from "./feature_csv.ts";

const CREDIT_CSV = new URL("../../data/credit_data/credit_data.csv", import.meta.url);

Deno.test("parseCsv reads the real data file: quoted strings unquoted, NA → null", async () => {
  const table = await readCsvFile(CREDIT_CSV.pathname);
  // Independent reading: this file has no commas or quotes inside fields.
  const lines = (await Deno.readTextFile(CREDIT_CSV)).trim().split("\n");
  const unquote = (f: string) => f.replace(/^"(.*)"$/, "$1");
  const header = lines[0].split(",").map(unquote);
  assert.deepEqual(table.columns, header);
  assert.equal(table.records.length, lines.length - 1);
  assert.equal(table.records.length, 4454);
  let nulls = 0;
  lines.slice(1).forEach((line, i) => {
    const fields = line.split(",");
    header.forEach((name, c) => {
      const expected = fields[c] === "NA" ? null : unquote(fields[c]);
      if (expected === null) nulls++;
      assert.equal(table.records[i][name], expected, `line ${i + 2}, ${name}`);
    });
    assert.equal(table.lines[i], i + 2);
  });
  assert.ok(nulls > 300, "the file has several hundred missing values");
});

Deno.test("tableToFeatures turns every real row into typed features", async () => {
  const table = await readCsvFile(CREDIT_CSV.pathname);
  const rows = tableToFeatures(table, FIXTURE_FEATURES);
  assert.equal(rows.length, table.records.length);
  let missingIncome = 0;
  rows.forEach((row, i) => {
    for (const spec of FIXTURE_FEATURES) {
      const value = row[spec.name];
      if (value === null) continue;
      if (spec.type === "numeric") {
        assert.equal(value, Number(table.records[i][spec.name]));
      } else {
        assert.ok(spec.levels.includes(value as string));
      }
    }
    if (row.Income === null) missingIncome++;
    assert.equal("Status" in row, false, "non-feature columns are dropped");
  });
  assert.ok(missingIncome > 0);
});

Deno.test("parseCsv handles quotes, embedded commas, CRLF, a BOM and empty fields", () => {
  const text = '\ufeffa,b,c\r\n"x, ""y""",,NA\r\n"",2,"3"\r\n';
  const table = parseCsv(text);
  assert.deepEqual(table.columns, ["a", "b", "c"]);
  assert.deepEqual(table.records, [
    { a: 'x, "y"', b: null, c: null },
    { a: null, b: "2", c: "3" },
  ]);
});

Deno.test("parseCsv names the source on malformed CSV", () => {
  assert.throws(
    () => parseCsv("a,b\n1,2,3\n", { source: "in.csv" }),
    /^Error: in\.csv: invalid CSV/,
  );
});

Deno.test("parseNumericField accepts decimals and refuses anything else", () => {
  const where = { row: 3, column: "Income" };
  assert.equal(parseNumericField("12", where), 12);
  assert.equal(parseNumericField(" -2.5 ", where), -2.5);
  assert.equal(parseNumericField(".5", where), 0.5);
  assert.equal(parseNumericField("1e3", where), 1000);
  for (const bad of ["", " ", "0x10", "Infinity", "1,000", "12abc", "--1"]) {
    assert.throws(() => parseNumericField(bad, where), FeatureCsvError, bad);
  }
});

Deno.test("recordToFeatures names row, line and column in its errors", () => {
  const record = { Seniority: "9", Home: "castle", Income: "x" };
  const specs = FIXTURE_FEATURES.filter((s) => ["Seniority", "Home"].includes(s.name));
  assert.throws(
    () => recordToFeatures(record, specs, { row: 7, line: 8 }),
    (err: unknown) => {
      assert.ok(err instanceof FeatureCsvError);
      assert.equal(err.row, 7);
      assert.equal(err.column, "Home");
      assert.match(err.message, /^row 7 \(line 8\), column "Home": unknown level "castle"/);
      return true;
    },
  );
  const income = FIXTURE_FEATURES.filter((s) => s.name === "Income");
  assert.throws(() => recordToFeatures(record, income, { row: 2 }), /row 2, column "Income"/);
  const age = FIXTURE_FEATURES.filter((s) => s.name === "Age");
  assert.throws(() => recordToFeatures(record, age), /column "Age": column is missing/);
});

Deno.test("assertFeatureColumns lists every missing feature column", () => {
  assert.throws(
    () => assertFeatureColumns(["Seniority", "Home"], FIXTURE_FEATURES.slice(0, 4)),
    /lacks feature column\(s\): Time, Age$/,
  );
});

Deno.test("formatCsvLine output parses back to the same fields (property)", () => {
  const field = fc.oneof(
    fc.constant(null),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: fc.constantFrom("a", "B", " ", ",", '"', "\n", "\r", "é", "1") }),
  );
  fc.assert(fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), (values) => {
    const header = values.map((_, i) => `c${i}`);
    const table = parseCsv(`${formatCsvLine(header)}\n${formatCsvLine(values)}\n`);
    // A single empty field makes an empty line, which the parser skips.
    if (formatCsvLine(values) === "") return;
    values.forEach((v, i) => {
      const expected = v === null || v === "" || v === "NA" ? null : String(v);
      assert.equal(table.records[0][`c${i}`], expected);
    });
  }));
});

Deno.test("featuresToCsvValues writes features in spec order, missing as null", () => {
  const specs = FIXTURE_FEATURES.slice(0, 3); // Seniority, Home, Time
  assert.deepEqual(featuresToCsvValues({ Time: 36, Home: "rent", Seniority: null }, specs), [
    null,
    "rent",
    36,
  ]);
  assert.equal(formatCsvLine([null, "rent", 36]), "NA,rent,36");
});
