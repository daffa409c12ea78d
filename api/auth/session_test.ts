import assert from "node:assert/strict";
import { createSessionCodec } from "./session.ts";

const secret = new Uint8Array(32).fill(7);
const codec = createSessionCodec({ secret, ttlSeconds: 60 });
const admin = { scope: "admin" as const, id: "abc123" };
const t0 = new Date("2026-01-01T00:00:00Z");

Deno.test("a session token verifies to its identity until it expires", () => {
  const token = codec.issue(admin, t0);
  assert.deepEqual(codec.verify(token, new Date(t0.getTime() + 59_000)), admin);
  assert.equal(codec.verify(token, new Date(t0.getTime() + 60_000)), null);
});

Deno.test("a tampered or foreign token is refused", () => {
  const token = codec.issue(admin, t0);
  const [payload, sig] = token.split(".");
  const forged = Buffer.from(JSON.stringify({ id: "x", scope: "admin", exp: 9e9 })).toString(
    "base64url",
  );
  assert.equal(codec.verify(`${forged}.${sig}`, t0), null);
  assert.equal(codec.verify(`${payload}.${sig.slice(1)}A`, t0), null);
  assert.equal(codec.verify(`${payload}`, t0), null);
  const other = createSessionCodec({ secret: new Uint8Array(32).fill(8) });
  assert.equal(other.verify(token, t0), null);
});

Deno.test("the CSRF token is bound to its session", () => {
  const a = codec.issue(admin, t0);
  const b = codec.issue({ ...admin, id: "other" }, t0);
  assert.equal(codec.checkCsrf(a, codec.csrfFor(a)), true);
  assert.equal(codec.checkCsrf(a, codec.csrfFor(b)), false);
  assert.equal(codec.checkCsrf(a, ""), false);
});

Deno.test("a short secret is refused", () => {
  assert.throws(() => createSessionCodec({ secret: new Uint8Array(16) }), /at least 32 bytes/);
});
