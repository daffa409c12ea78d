import assert from "node:assert/strict";
import { roundNumbers, sha256Hex } from "./model_meta_builder.ts";

Deno.test("roundNumbers rounds non-integers deeply and leaves the rest", () => {
  assert.deepEqual(roundNumbers({ a: 1 / 3, b: [2, 0.1234567891], c: { d: "x", e: null, f: 7 } }), {
    a: 0.333333,
    b: [2, 0.123457],
    c: { d: "x", e: null, f: 7 },
  });
  assert.equal(roundNumbers(0.5, 0), 1);
});

Deno.test("sha256Hex hashes text and bytes alike", () => {
  // sha256("abc"), FIPS 180-2 test vector
  const abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  assert.equal(sha256Hex("abc"), abc);
  assert.equal(sha256Hex(new TextEncoder().encode("abc")), abc);
});
