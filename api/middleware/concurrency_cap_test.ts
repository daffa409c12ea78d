import assert from "node:assert/strict";
import { Hono } from "hono";
import { ProblemError } from "../http/problem.ts";
import { concurrencyCap } from "./concurrency_cap.ts";

Deno.test("requests beyond the cap are shed with 503 + Retry-After; capacity comes back", async () => {
  const cap = concurrencyCap({ max: 2, retryAfterSeconds: 3 });
  const gates: (() => void)[] = [];
  const app = new Hono();
  app.use(cap.middleware);
  app.get("/", async (c) => {
    await new Promise<void>((resolve) => gates.push(resolve));
    return c.text("done");
  });
  app.onError((err, c) => {
    const p = err as ProblemError;
    return c.text(p.problemType, p.status as 503, p.headers);
  });

  const first = app.request("/");
  const second = app.request("/");
  await Promise.resolve();
  assert.equal(cap.inFlight, 2);
  const shed = await app.request("/");
  assert.equal(shed.status, 503);
  assert.equal(shed.headers.get("retry-after"), "3");
  assert.equal(await shed.text(), "overloaded");

  gates.splice(0).forEach((open) => open());
  assert.equal(await (await first).text(), "done");
  assert.equal(await (await second).text(), "done");
  assert.equal(cap.inFlight, 0);
  const third = app.request("/");
  await Promise.resolve();
  gates.splice(0).forEach((open) => open());
  assert.equal((await third).status, 200, "capacity is released after each request");
});
