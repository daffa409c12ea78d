import assert from "node:assert/strict";
import { Hono } from "hono";
import { deadline } from "./deadline.ts";

class Late extends Error {}

function appWith(timeoutMs: number, work: () => Promise<void>) {
  const d = deadline({ timeoutMs, sweepMs: 5, onTimeout: () => new Late("late") });
  const app = new Hono();
  app.use(d.middleware);
  app.get("/", async (c) => {
    await work();
    return c.text("done");
  });
  app.onError((err, c) => c.text(err instanceof Late ? "timeout" : "other", 504));
  return { app, d };
}

Deno.test("a request that finishes in time is answered normally", async () => {
  const { app, d } = appWith(1000, () => Promise.resolve());
  assert.equal(await (await app.request("/")).text(), "done");
  d.dispose();
});

Deno.test("a request past its deadline fails with the timeout error; the sweep then stops", async () => {
  const never = Promise.withResolvers<void>();
  const { app, d } = appWith(20, () => never.promise);
  const res = await app.request("/");
  assert.equal(res.status, 504);
  assert.equal(await res.text(), "timeout");
  never.resolve();
  d.dispose();
});
