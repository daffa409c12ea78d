import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "../../api/testing/test_app.ts";
import { typicalApplicant } from "../../api/scoring/model_meta.ts";
import { UsageError } from "../lib/flags.ts";
import {
  auditRowProblems,
  type Clock,
  type Fetch,
  parseSmokeArgs,
  predictionProblems,
  runSmoke,
  SmokeError,
  waitForReady,
} from "./smoke_service.ts";

const BASE = "http://127.0.0.1:7860";

/** Routes the smoke test's requests into the in-process app (no network). */
function appFetch(t: TestApp): Fetch {
  return async (url, init) => await t.app.request(url, init);
}

/** A clock whose sleeps only advance its own time. */
function fakeClock(): Clock & { slept: number } {
  let now = 0;
  const clock = {
    slept: 0,
    now: () => now,
    sleep: (ms: number) => {
      now += ms;
      clock.slept += 1;
      return Promise.resolve();
    },
  };
  return clock;
}

async function scoreOnce(t: TestApp): Promise<Record<string, unknown>> {
  const res = await t.post("/predict", { features: typicalApplicant(t.model.meta) });
  assert.equal(res.status, 200);
  return await res.json();
}

Deno.test("runSmoke passes against the real app and finds the logged row", async () => {
  await using t = await createTestApp();
  const lines: string[] = [];
  const report = await runSmoke(BASE, {
    meta: t.model.meta,
    timeoutMs: 1000,
    dbPath: t.dbPath,
    fetch: appFetch(t),
    clock: fakeClock(),
    log: (line) => lines.push(line),
  });
  assert.equal(report.ready.model_version, t.model.meta.model_version);
  assert.ok(report.prediction);
  assert.match(report.prediction.request_id, /^smoke-/);
  const [row] = await t.store.predictions.findByRequestId(report.prediction.request_id);
  assert.equal(row.decision, report.prediction.decision);
  assert.ok(lines.some((l) => l.startsWith("audit log:")), lines.join("\n"));
});

Deno.test("runSmoke checks the /health warnings when asked", async () => {
  const warning = "DB_PATH /data is not writable; using /app/var/predictions.sqlite";
  await using t = await createTestApp({ warnings: [warning] });
  const options = { meta: t.model.meta, timeoutMs: 0, fetch: appFetch(t), clock: fakeClock() };
  const report = await runSmoke(BASE, { ...options, expectWarning: "/app/var/predictions" });
  assert.ok(report.warnings?.includes(warning), JSON.stringify(report.warnings));
  await assert.rejects(
    runSmoke(BASE, { ...options, expectWarning: "no such warning" }),
    (err: Error) => err instanceof SmokeError && err.message.includes("no such warning"),
  );
});

Deno.test("runSmoke --ready-only scores nothing", async () => {
  await using t = await createTestApp();
  const report = await runSmoke(BASE, {
    meta: t.model.meta,
    timeoutMs: 0,
    readyOnly: true,
    fetch: appFetch(t),
  });
  assert.equal(report.prediction, undefined);
  assert.equal(await t.store.predictions.count(), 0);
});

Deno.test("waitForReady retries refused connections and 503s until ready", async () => {
  const answers: Array<() => Response> = [
    () => {
      throw new TypeError("connection refused");
    },
    () => new Response("{}", { status: 503 }),
    () => Response.json({ status: "ready", model_version: "m1" }),
  ];
  const seen: string[] = [];
  const clock = fakeClock();
  const ready = await waitForReady(`${BASE}/`, {
    timeoutMs: 10_000,
    clock,
    fetch: (url) => {
      seen.push(url);
      return Promise.resolve().then(answers[seen.length - 1]);
    },
  });
  assert.equal(ready.model_version, "m1");
  assert.deepEqual(seen, Array(3).fill(`${BASE}/health/ready`));
  assert.equal(clock.slept, 2);
});

Deno.test("waitForReady gives up at the deadline and quotes the last answer", async () => {
  const clock = fakeClock();
  const ready = () => Promise.resolve(Response.json({ status: "ready", model_version: "old" }));
  await assert.rejects(
    waitForReady(BASE, {
      timeoutMs: 5000,
      pollMs: 1000,
      expectVersion: "new",
      clock,
      fetch: ready,
    }),
    (err: Error) =>
      err instanceof SmokeError && /not ready after 5 s/.test(err.message) &&
      err.message.includes('waiting for "new"'),
  );
  assert.equal(clock.slept, 5);
  const down = () => Promise.resolve(new Response("log unavailable", { status: 503 }));
  await assert.rejects(
    waitForReady(BASE, { timeoutMs: 0, clock: fakeClock(), fetch: down }),
    /HTTP 503 log unavailable/,
  );
});

Deno.test("waitForReady with startedAfter waits for an instance started after the push", async () => {
  const push = new Date("2025-06-01T12:00:00Z");
  const starts = [
    "2025-06-01T11:00:00.000Z",
    "2025-06-01T11:00:00.000Z",
    "2025-06-01T12:03:00.000Z",
  ];
  let healthCalls = 0;
  const fetch: Fetch = (url) => {
    if (url.endsWith("/health/ready")) {
      return Promise.resolve(Response.json({ status: "ready", model_version: "m1" }));
    }
    assert.ok(url.endsWith("/health"), url);
    return Promise.resolve(Response.json({ status: "ok", started_at: starts[healthCalls++] }));
  };
  const clock = fakeClock();
  await waitForReady(BASE, {
    timeoutMs: 60_000,
    startedAfter: push,
    expectVersion: "m1",
    fetch,
    clock,
  });
  assert.equal(healthCalls, 3);
  assert.equal(clock.slept, 2);

  healthCalls = 0;
  await assert.rejects(
    waitForReady(BASE, { timeoutMs: 0, startedAfter: push, fetch, clock: fakeClock() }),
    /started at 2025-06-01T11:00:00.000Z, waiting for one started after 2025-06-01T12:00:00.000Z/,
  );
});

Deno.test("predictionProblems accepts the app's answer and flags each tampering", async () => {
  await using t = await createTestApp();
  const meta = t.model.meta;
  const body = await scoreOnce(t);
  assert.deepEqual(predictionProblems(body, meta, { requestId: String(body.request_id) }), []);

  const flipped = 1 - Number(body.decision);
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...body, decision: flipped }, /^decision /],
    [{ ...body, proba_default: 1.5 }, /^proba_default: /],
    [{ ...body, model_version: "other" }, /^model_version other/],
    [{ ...body, threshold: meta.threshold / 2 }, /^threshold /],
    [{ ...body, request_id: undefined }, /^request_id: /],
  ];
  for (const [tampered, expected] of cases) {
    const problems = predictionProblems(tampered, meta);
    assert.ok(problems.some((p) => expected.test(p)), `${expected}: ${problems.join("; ")}`);
  }
  assert.match(predictionProblems(body, meta, { requestId: "x" })[0], /expected the X-Request-Id/);
});

Deno.test("auditRowProblems flags a missing row and a row that disagrees", async () => {
  await using t = await createTestApp();
  const body = await scoreOnce(t) as {
    request_id: string;
    proba_default: number;
    decision: number;
    model_version: string;
  };
  const features = typicalApplicant(t.model.meta);
  assert.deepEqual(await auditRowProblems(t.dbPath, body, features), []);
  assert.match(
    (await auditRowProblems(t.dbPath, { ...body, request_id: "never-sent" }, features))[0],
    /0 audit rows for request never-sent/,
  );
  const problems = await auditRowProblems(
    t.dbPath,
    { ...body, decision: 1 - body.decision, proba_default: body.proba_default + 0.1 },
    { ...features, extra: 1 },
  );
  assert.equal(problems.length, 3, problems.join("; "));
  assert.match(
    (await auditRowProblems(`${t.dir}/absent/db.sqlite`, body, features))[0],
    /cannot open/,
  );
});

Deno.test("parseSmokeArgs: --url or --space, timeouts in seconds, usage errors", () => {
  const cli = parseSmokeArgs([
    "--url",
    "http://127.0.0.1:7860",
    "--timeout-s",
    "5",
    "--ready-only",
  ]);
  assert.equal(cli.baseUrl, "http://127.0.0.1:7860/");
  assert.equal(cli.timeoutMs, 5000);
  assert.equal(cli.readyOnly, true);
  assert.equal(cli.artifactsDir, "artifacts");
  assert.equal(
    parseSmokeArgs(["--space", "Alice/Score_Watch"]).baseUrl,
    "https://alice-score-watch.hf.space",
  );
  for (
    const bad of [
      [],
      ["--url", "http://a", "--space", "a/b"],
      ["--url", "not a url"],
      ["--space", "nope"],
      ["--url", "http://a", "--timeout-s", "-1"],
      ["--url", "http://a", "--bogus"],
    ]
  ) {
    assert.throws(() => parseSmokeArgs(bad), UsageError, bad.join(" "));
  }
  assert.equal(parseSmokeArgs(["--help"]).help, true);
  const deploy = parseSmokeArgs(["--space", "a/b", "--started-after", "2025-06-01T12:00:00Z"]);
  assert.equal(deploy.startedAfter?.toISOString(), "2025-06-01T12:00:00.000Z");
  assert.throws(
    () => parseSmokeArgs(["--space", "a/b", "--started-after", "yesterday"]),
    UsageError,
  );
});
