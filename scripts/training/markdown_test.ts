import assert from "node:assert/strict";
import fc from "fast-check";
import { bullets, paragraph, table } from "./markdown.ts";

Deno.test("table pads columns and right-aligns where asked", () => {
  assert.equal(
    table(["name", "x"], [["Seniority", 1], ["a", 12345]], ["left", "right"]),
    [
      "| name      |     x |",
      "| --------- | ----: |",
      "| Seniority |     1 |",
      "| a         | 12345 |",
    ].join("\n"),
  );
  assert.equal(table(["a"], [["x|y"]]), "| a    |\n| ---- |\n| x\\|y |");
});

Deno.test("paragraph and bullets wrap greedily within the width", () => {
  assert.equal(paragraph("aa bb cc dd", 5), "aa bb\ncc dd");
  assert.equal(bullets(["aa bb cc", "dd"], 6), "- aa\n  bb\n  cc\n- dd");
});

Deno.test("wrapping keeps every word, in order, and respects the width (property)", () => {
  const word = fc.string({ unit: fc.constantFrom("a", "b", "`", "."), minLength: 1, maxLength: 8 });
  fc.assert(fc.property(fc.array(word, { minLength: 1, maxLength: 40 }), (words) => {
    const text = paragraph(words.join(" "), 20);
    assert.deepEqual(text.split(/\s+/), words);
    for (const line of text.split("\n")) assert.ok(line.length <= 20 || !line.includes(" "));
  }));
});
