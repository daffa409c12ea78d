import assert from "node:assert/strict";
import fc from "fast-check";
import { createKeyRing, keyId, parseKeyList, presentedKey } from "./api_keys.ts";

const scoringKey = "score-key-0123456789";
const adminKey = "admin-key-0123456789";
const ring = createKeyRing({ scoring: [scoringKey], admin: [adminKey] });

Deno.test("configured keys are recognised with their scope and id; others are not", () => {
  assert.deepEqual(ring.identify(scoringKey), { scope: "scoring", id: keyId(scoringKey) });
  assert.deepEqual(ring.identify(adminKey), { scope: "admin", id: keyId(adminKey) });
  assert.equal(ring.identify(scoringKey + "x"), null);
  assert.equal(ring.identify(""), null);
  assert.equal(ring.open, false);
});

Deno.test("no key configured means open mode", () => {
  const open = createKeyRing({ scoring: [], admin: [] });
  assert.equal(open.open, true);
  assert.equal(open.identify("anything-at-all-123"), null);
});

Deno.test("no other string is taken for a key (property)", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 64 }), (s) => {
      fc.pre(s !== scoringKey && s !== adminKey);
      return ring.identify(s) === null;
    }),
    { numRuns: 2000 },
  );
});

Deno.test("short keys are refused at configuration time without echoing them", () => {
  assert.throws(() => parseKeyList("short, " + scoringKey, "API_KEYS"), (err: Error) => {
    assert.match(err.message, /API_KEYS: key #1 is shorter than 16/);
    assert.ok(!err.message.includes("short,"));
    return true;
  });
  assert.deepEqual(parseKeyList(` ${scoringKey} ,, ${adminKey} `, "API_KEYS"), [
    scoringKey,
    adminKey,
  ]);
});

Deno.test("keys are read from a Bearer header or X-API-Key", () => {
  const h = (o: Record<string, string>) => new Headers(o);
  assert.equal(presentedKey(h({ authorization: `Bearer ${scoringKey}` })), scoringKey);
  assert.equal(presentedKey(h({ authorization: `bearer   ${scoringKey} ` })), scoringKey);
  assert.equal(presentedKey(h({ "x-api-key": scoringKey })), scoringKey);
  assert.equal(presentedKey(h({ authorization: `Basic abc` })), null);
  assert.equal(presentedKey(h({})), null);
});
