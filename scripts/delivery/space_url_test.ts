import assert from "node:assert/strict";
import fc from "fast-check";
import { isSpaceId, spaceUrl } from "./space_url.ts";

Deno.test("spaceUrl lower-cases and turns _ and . into -", () => {
  assert.equal(spaceUrl("Alice/Score_Watch"), "https://alice-score-watch.hf.space");
  assert.equal(spaceUrl("my.org/app.v2"), "https://my-org-app-v2.hf.space");
  assert.equal(spaceUrl("a/b"), "https://a-b.hf.space");
});

Deno.test("spaceUrl rejects anything that is not owner/name", () => {
  for (
    const bad of ["", "alice", "alice/", "/app", "a/b/c", "a b/c", "https://x.hf.space", "-a/b"]
  ) {
    assert.equal(isSpaceId(bad), false, bad);
    assert.throws(() => spaceUrl(bad), /expected owner\/name/, bad);
  }
});

Deno.test("spaceUrl always yields one DNS label under hf.space", () => {
  const part = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
  fc.assert(fc.property(part, part, (owner, name) => {
    // A host starting "xn--" is punycode, which URL rejects when it does not decode (owner "XN-",
    // name "a" → "xn--a"): no such Space can be reached at all, so it is outside this property.
    fc.pre(!`${owner}-${name}`.toLowerCase().replace(/[._]/g, "-").startsWith("xn--"));
    const url = new URL(spaceUrl(`${owner}/${name}`));
    assert.equal(url.protocol, "https:");
    assert.match(url.hostname, /^[a-z0-9-]+\.hf\.space$/);
    // Case and the choice of separator (. _ -) do not change the host.
    const variant = `${owner.toUpperCase()}/${name.replaceAll("-", "_")}`;
    assert.equal(spaceUrl(variant), url.href.replace(/\/$/, ""));
  }));
});
