import assert from "node:assert/strict";
import { Hono } from "hono";
import { ProblemError } from "../http/problem.ts";
import { bodySizeLimit } from "./body_limit.ts";

function app(maxBytes: number) {
  const app = new Hono();
  app.use(bodySizeLimit({ maxBytes }));
  app.post("/", async (c) => c.text(String((await c.req.text()).length)));
  app.onError((err, c) => c.text(err instanceof ProblemError ? `${err.status}` : "500", 500));
  return app;
}

function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 10) controller.enqueue(bytes.slice(i, i + 10));
      controller.close();
    },
  });
}

Deno.test("a body within the limit reaches the handler intact", async () => {
  const res = await app(100).request("/", { method: "POST", body: "x".repeat(100) });
  assert.equal(await res.text(), "100");
});

Deno.test("a declared Content-Length over the limit is refused without reading the body", async () => {
  const res = await app(100).request("/", {
    method: "POST",
    headers: { "content-length": "101" },
    body: "x".repeat(101),
  });
  assert.equal(await res.text(), "413");
});

Deno.test("a chunked body is counted as it streams and refused past the limit", async () => {
  const ok = await app(100).request("/", { method: "POST", body: chunked("y".repeat(95)) });
  assert.equal(await ok.text(), "95");
  const big = await app(100).request("/", { method: "POST", body: chunked("y".repeat(150)) });
  assert.equal(await big.text(), "413");
});
