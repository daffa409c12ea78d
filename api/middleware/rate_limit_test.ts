import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import { ProblemError } from "../http/problem.ts";
import { perClientRateLimit } from "./rate_limit.ts";

function appWith(perMinute: number) {
  const limit = perClientRateLimit({ perMinute });
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    const key = c.req.header("x-key");
    if (key) c.set("identity", { scope: "scoring", id: key });
    await next();
  });
  app.use(limit.middleware);
  app.get("/", (c) => c.text("ok"));
  app.onError((err, c) => {
    const p = err as ProblemError;
    return c.text(p.problemType, p.status as 429, p.headers);
  });
  return { app, limit };
}

Deno.test("each key gets its own budget; past it, 429 with Retry-After", async () => {
  const { app, limit } = appWith(3);
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal((await app.request("/", { headers: { "x-key": "a" } })).status, 200);
    }
    const limited = await app.request("/", { headers: { "x-key": "a" } });
    assert.equal(limited.status, 429);
    assert.equal(await limited.text(), "rate-limited");
    const retry = Number(limited.headers.get("retry-after"));
    assert.ok(retry >= 1 && retry <= 60);
    assert.equal(
      (await app.request("/", { headers: { "x-key": "b" } })).status,
      200,
      "key b unaffected",
    );
  } finally {
    limit.close();
  }
});

Deno.test("responses carry the draft-7 RateLimit header", async () => {
  const { app, limit } = appWith(10);
  try {
    const res = await app.request("/", { headers: { "x-key": "c" } });
    assert.match(res.headers.get("ratelimit") ?? "", /limit=10, remaining=9/);
  } finally {
    limit.close();
  }
});
