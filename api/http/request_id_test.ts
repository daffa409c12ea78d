import assert from "node:assert/strict";
import { createRequestIdGenerator } from "./request_id.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

Deno.test("ids are RFC 9562 version-4 UUIDs, unique across pool refills", () => {
  const next = createRequestIdGenerator();
  const ids = Array.from({ length: 2000 }, next);
  for (const id of ids) assert.match(id, UUID_V4);
  assert.equal(new Set(ids).size, ids.length);
});

Deno.test("two generators do not produce the same sequence", () => {
  const a = createRequestIdGenerator();
  const b = createRequestIdGenerator();
  assert.notEqual(a(), b());
});
