import assert from "node:assert/strict";
import { type ErrorHandler, Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/env.ts";
import { ProblemError } from "../http/problem.ts";
import { frontDoor } from "./front_door.ts";
import type { RequestSample } from "./request_stats.ts";

type Sample = Omit<RequestSample, "minute">;

/** An app behind a front door with `guards`; records what the door saw. */
function appWith(guards: MiddlewareHandler<AppEnv>[] = []) {
  const samples: Sample[] = [];
  const seen: { startedAt?: number; requestId?: string } = {};
  const onError: ErrorHandler<AppEnv> = (err, c) =>
    err instanceof ProblemError
      ? c.json({ type: err.problemType }, err.status as 503, err.headers)
      : c.json({ type: "internal" }, 500);
  const app = new Hono<AppEnv>();
  app.use(frontDoor({
    stats: { record: (s) => samples.push(s) },
    newRequestId: () => "generated",
    noStorePaths: ["/private"],
    guards,
    onError,
  }));
  const handler = (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => {
    seen.startedAt = c.get("startedAt");
    seen.requestId = c.get("requestId");
    return c.text("hello");
  };
  app.get("/private", handler);
  app.get("/public", handler);
  app.get("/boom", () => {
    throw new Error("boom");
  });
  app.onError(onError);
  return { app, samples, seen };
}

const refuse = (status: 503): MiddlewareHandler<AppEnv> => () => {
  throw new ProblemError(status, "overloaded", "no", { headers: { "retry-after": "7" } });
};

Deno.test("every answer gets nosniff; only the listed paths get no-store", async () => {
  const { app } = appWith();
  for (
    const [path, status, noStore] of [
      ["/private", 200, true],
      ["/public", 200, false],
      ["/boom", 500, false],
      ["/nowhere", 404, false],
    ] as const
  ) {
    const res = await app.request(path);
    await res.body?.cancel();
    assert.equal(res.status, status, path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(res.headers.get("cache-control") === "no-store", noStore, path);
  }
});

Deno.test("an acceptable X-Request-Id is used and echoed; any other is replaced", async () => {
  const { app, seen } = appWith();
  const cases: [string | undefined, string][] = [
    ["abc-DEF_1=", "abc-DEF_1="],
    ["x".repeat(255), "x".repeat(255)],
    ["x".repeat(256), "generated"],
    ["has space", "generated"],
    ["semi;colon", "generated"],
    ["", "generated"],
    [undefined, "generated"],
  ];
  for (const [sent, expected] of cases) {
    const headers: Record<string, string> = sent === undefined ? {} : { "x-request-id": sent };
    const res = await app.request("/public", { headers });
    await res.body?.cancel();
    assert.equal(res.headers.get("x-request-id"), expected, String(sent));
    assert.equal(seen.requestId, expected);
  }
});

Deno.test("the start time is set before the app runs and the request is timed", async () => {
  const { app, samples, seen } = appWith();
  const before = performance.now();
  await (await app.request("/public")).text();
  assert.ok(seen.startedAt !== undefined && seen.startedAt >= before);
  assert.equal(samples.length, 1);
  assert.equal(samples[0].route, "GET /public");
  assert.equal(samples[0].status, 200);
  assert.ok(samples[0].ms >= 0 && samples[0].ms <= performance.now() - before);
});

Deno.test("guards run in order around the app, each once, and see its answer", async () => {
  const trace: string[] = [];
  const guard = (name: string): MiddlewareHandler<AppEnv> => async (c, next) => {
    trace.push(`${name} in`);
    await next();
    trace.push(`${name} out ${c.res.status}`);
  };
  const { app } = appWith([guard("a"), guard("b")]);
  await (await app.request("/public")).text();
  assert.deepEqual(trace, ["a in", "b in", "b out 200", "a out 200"]);
});

Deno.test("a guard's refusal is the app's error answer, with the door's headers, counted as itself", async () => {
  let reached = false;
  const { app, samples } = appWith([
    async (_c, next) => {
      await next();
    },
    refuse(503),
    async (_c, next) => {
      reached = true;
      await next();
    },
  ]);
  const res = await app.request("/private", { headers: { "x-request-id": "r1" } });
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), { type: "overloaded" });
  assert.equal(res.headers.get("retry-after"), "7");
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("x-request-id"), "r1");
  assert.equal(reached, false, "the guards after a refusal do not run");
  assert.equal(samples.at(-1)?.status, 503);
});

Deno.test("a guard that fails after the app answered (a deadline) replaces the answer", async () => {
  const { app, samples } = appWith([async (_c, next) => {
    await next();
    throw new ProblemError(504, "timeout", "too slow");
  }]);
  const res = await app.request("/public");
  assert.equal(res.status, 504);
  assert.deepEqual(await res.json(), { type: "timeout" });
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(samples.at(-1)?.status, 504);
});

Deno.test("a HEAD answer states the length of the GET's body", async () => {
  const { app } = appWith();
  const res = await app.request("/public", { method: "HEAD" });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-length"), String("hello".length));
  assert.equal(await res.text(), "");
});
