import assert from "node:assert/strict";
import fc from "fast-check";
import { newRequestId, requestIdFrom } from "./request_id.ts";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Unix milliseconds a version-7 UUID carries in its first 48 bits. */
const millisOf = (id: string) => parseInt(id.replaceAll("-", "").slice(0, 12), 16);

Deno.test("new ids are RFC 9562 version-7 UUIDs carrying the time they were issued", () => {
  const before = Date.now();
  const ids = Array.from({ length: 2000 }, newRequestId);
  const after = Date.now();
  for (const id of ids) {
    assert.match(id, UUID_V7);
    assert.ok(millisOf(id) >= before && millisOf(id) <= after, id);
  }
});

Deno.test("new ids are unique and in issue order (the audit index appends them)", () => {
  const ids = Array.from({ length: 5000 }, newRequestId);
  assert.equal(new Set(ids).size, ids.length);
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] < ids[i], `${ids[i - 1]} ${ids[i]}`);
});

Deno.test("a caller's id is kept iff it is 1-255 letters, digits, _, - or =", () => {
  const generated = "generated";
  const allowed = /^[A-Za-z0-9_\-=]{1,255}$/;
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.stringMatching(/^[A-Za-z0-9_\-=]{0,260}$/),
        fc.constant(undefined),
      ),
      (header) => {
        const id = requestIdFrom(header, () => generated);
        assert.equal(id, header !== undefined && allowed.test(header) ? header : generated);
      },
    ),
  );
});
