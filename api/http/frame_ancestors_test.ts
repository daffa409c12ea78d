import assert from "node:assert/strict";
import { loadConfig } from "../config.ts";
import { parseFrameAncestors, resolveFrameAncestors, spaceHost } from "./frame_ancestors.ts";

const none = { frameAncestors: [], spaceHost: "", spaceId: "" };

Deno.test("without a known Space, only the deployment itself may frame it", () => {
  assert.deepEqual(resolveFrameAncestors(none), ["'self'"]);
  assert.deepEqual(resolveFrameAncestors({ ...none, spaceHost: "not a host!" }), ["'self'"]);
});

Deno.test("on a Space, its page on huggingface.co and its own host, never every *.hf.space", () => {
  assert.deepEqual(resolveFrameAncestors({ ...none, spaceHost: "alice-scorewatch.hf.space" }), [
    "'self'",
    "https://huggingface.co",
    "https://alice-scorewatch.hf.space",
  ]);
  assert.deepEqual(resolveFrameAncestors({ ...none, spaceId: "Alice/Score_Watch" }), [
    "'self'",
    "https://huggingface.co",
    "https://alice-score-watch.hf.space",
  ]);
  assert.equal(spaceHost("my.org/app.v2"), "my-org-app-v2.hf.space");
});

Deno.test("FRAME_ANCESTORS, when set, is used as given", () => {
  const configured = { ...none, frameAncestors: ["'none'"], spaceHost: "a-b.hf.space" };
  assert.deepEqual(resolveFrameAncestors(configured), ["'none'"]);
  assert.deepEqual(
    loadConfig((name) => name === "FRAME_ANCESTORS" ? " 'self'  https://*.example.org " : undefined)
      .frameAncestors,
    ["'self'", "https://*.example.org"],
  );
});

Deno.test("FRAME_ANCESTORS refuses anything that could extend or break the policy", () => {
  for (
    const bad of [
      "*",
      "'self'; script-src *",
      "https://a.example,https://b.example",
      "javascript:alert(1)",
      "'unsafe-inline'",
      "'none' 'self'",
      "https://example.org/path",
    ]
  ) {
    assert.throws(() => parseFrameAncestors(bad), Error, bad);
    assert.throws(
      () => loadConfig((name) => name === "FRAME_ANCESTORS" ? bad : undefined),
      /FRAME_ANCESTORS=/,
      bad,
    );
  }
});
