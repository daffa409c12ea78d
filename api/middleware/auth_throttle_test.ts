import assert from "node:assert/strict";
import { Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import { ProblemError } from "../http/problem.ts";
import { createAuthThrottle } from "./auth_throttle.ts";

/** An app whose `/try` fails when `x-ok` is absent, through the throttle. */
function appWith(perMinute: number, clock: { ms: number }, maxClients?: number) {
  const lines: string[] = [];
  const throttle = createAuthThrottle({
    perMinute,
    trustProxy: true,
    log: (l) => lines.push(l),
    now: () => clock.ms,
    maxClients,
  });
  const app = new Hono<AppEnv>();
  app.post("/try", (c) => {
    throttle.check(c);
    if (c.req.header("x-ok") === undefined) {
      throttle.failed(c, "wrong API key");
      return c.text("no", 401);
    }
    return c.text("yes");
  });
  app.onError((err, c) => {
    const p = err as ProblemError;
    return c.text(p.message, p.status as 429, p.headers);
  });
  const attempt = (from: string, ok = false) =>
    app.request("/try", {
      method: "POST",
      headers: { "x-forwarded-for": from, ...(ok ? { "x-ok": "1" } : {}) },
    });
  return { attempt, lines };
}

Deno.test("past the budget, every attempt of that client is 429 with Retry-After, a right key too", async () => {
  const clock = { ms: 1_000_000 };
  const { attempt, lines } = appWith(3, clock);
  for (let i = 0; i < 3; i++) assert.equal((await attempt("10.0.0.1")).status, 401);
  const refused = await attempt("10.0.0.1", true);
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get("retry-after"), "60");
  assert.match(await refused.text(), /AUTH_FAILURES_PER_MINUTE/);
  assert.equal((await attempt("10.0.0.2", true)).status, 200, "another client is unaffected");
  assert.equal((await attempt("10.0.0.2")).status, 401);

  clock.ms += 45_000;
  assert.equal((await attempt("10.0.0.1", true)).headers.get("retry-after"), "15");
  clock.ms += 15_000;
  assert.equal((await attempt("10.0.0.1", true)).status, 200, "the window ended");
  assert.equal((await attempt("10.0.0.1")).status, 401, "a new budget");
  assert.equal(lines.length, 5, "one log line per failure, none for refusals or successes");
});

Deno.test("each failure is logged with route, client and count, control characters made harmless", async () => {
  const clock = { ms: 0 };
  const { attempt, lines } = appWith(2, clock);
  await attempt("10.0.0.9");
  await attempt("10.0.0.9");
  assert.match(
    lines[0],
    /^scorewatch: auth failure: wrong API key on POST \/try from "10\.0\.0\.9" \[-\] \(1 this minute\)$/,
  );
  assert.match(lines[1], /\(2 this minute; further attempts answered 429 until the minute ends\)/);
  await attempt("evil\u0085host\u0007");
  assert.match(lines[2], /from "evil\?host\?"/);
});

Deno.test("with a budget of 0 failures are logged but never throttled", async () => {
  const { attempt, lines } = appWith(0, { ms: 0 });
  for (let i = 0; i < 20; i++) assert.equal((await attempt("10.0.0.1")).status, 401);
  assert.equal((await attempt("10.0.0.1", true)).status, 200);
  assert.equal(lines.length, 20);
});

Deno.test("the number of clients tracked is bounded", async () => {
  const clock = { ms: 0 };
  const { attempt } = appWith(1, clock, 4);
  for (let i = 0; i < 10; i++) await attempt(`10.0.1.${i}`);
  assert.equal((await attempt("10.0.1.9", true)).status, 429, "the newest client stays tracked");
  assert.equal((await attempt("10.0.1.0", true)).status, 200, "the oldest was dropped");
});

Deno.test("behind the proxy, the address it appended counts, not the ones the client sent", async () => {
  const { attempt } = appWith(2, { ms: 0 });
  for (const spoofed of ["1.1.1.1", "2.2.2.2"]) {
    assert.equal((await attempt(`${spoofed}, 10.9.9.9`)).status, 401);
  }
  assert.equal((await attempt("3.3.3.3, 10.9.9.9", true)).status, 429, "one client, one budget");
});
