import assert from "node:assert/strict";
import fc from "fast-check";
import { safeNext } from "./safe_next.ts";

const BASE = "/monitor";

/** Where a browser on https://site.example goes when redirected to `location`. */
const landing = (location: string) => new URL(location, "https://site.example/monitor/login");

Deno.test("local paths under the site are kept, with their query", () => {
  assert.equal(safeNext("/monitor", BASE), "/monitor");
  assert.equal(safeNext("/monitor/drift", BASE), "/monitor/drift");
  assert.equal(
    safeNext("/monitor/predictions?window=1h&decision=reject", BASE),
    "/monitor/predictions?window=1h&decision=reject",
  );
  assert.equal(safeNext("/monitor/scores?window=7d#chart", BASE), "/monitor/scores?window=7d");
});

Deno.test("redirect attempts off the site fall back to the site root", () => {
  const attacks = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\tmonitor",
    "\t//evil.example",
    " //evil.example",
    "/monitor\n//evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/monitor/../evil",
    "/monitor/%2e%2e/evil",
    "/monitorX",
    "/docs",
    "/monitor/login?next=https://evil.example",
    "/monitor/logout",
    "",
    "monitor",
    "x".repeat(3000),
  ];
  for (const a of attacks) assert.equal(safeNext(a, BASE), BASE, JSON.stringify(a));
  assert.equal(safeNext(undefined, BASE), BASE);
  assert.equal(safeNext(["/monitor/drift"], BASE), BASE);
});

Deno.test("whatever the input, the redirect stays on the site, under its base path", () => {
  const prefixed = fc.tuple(
    fc.constantFrom("", "/", "//", "/monitor", "/monitor/", "/monitor/..", "\\", "https:", "%2F"),
    fc.string({ unit: "binary" }),
  ).map(([a, b]) => a + b);
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.webUrl(), prefixed), (next) => {
      const location = safeNext(next, BASE);
      assert.ok(location.startsWith("/") && !location.startsWith("//"), location);
      // deno-lint-ignore no-control-regex -- no control character may reach the Location header.
      assert.ok(!/[\u0000-\u0020\u007f\\]/.test(location), location);
      const url = landing(location);
      assert.equal(url.origin, "https://site.example");
      assert.ok(url.pathname === BASE || url.pathname.startsWith(`${BASE}/`), url.pathname);
    }),
    { numRuns: 2000 },
  );
});
