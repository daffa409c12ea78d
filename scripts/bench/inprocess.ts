/**
 * `deno task bench inprocess`: the CPU one request costs the whole app, in
 * process, against another checkout of the code in the same process. Both
 * apps are built as the tests build them (`api/testing/test_app.ts`: the
 * checkout's bundled model, a temp SQLite log at `synchronous=FULL`) and
 * loaded with `--concurrency` requests in flight (`app.fetch`, no socket);
 * rounds alternate between them, and each round's process CPU (user +
 * system, getrusage) is divided by the requests it answered.
 *
 *   deno task bench inprocess [--against DIR] [--route predict|batch] [--rounds 10]
 *     [--seconds 2] [--concurrency 32] [--batch-size 200]
 *
 * `--against` is the root of another checkout under /tmp, e.g.
 * `git worktree add /tmp/before HEAD~1` (it uses this checkout's
 * dependencies). Without it, this checkout runs alone.
 *
 * Why in one process: on this shared 2-core machine, identical HTTP runs
 * differ by ±20%, more than most single changes gain; alternating rounds in
 * one process see the same machine state. What it leaves out (the socket,
 * Deno's HTTP server) is the same for both; `deno task bench http` measures
 * it. Its limits: the apps share one V8 heap and onnxruntime's WASM
 * instance, and each log grows with its own traffic, so a change whose cost
 * grows with the log shows as a drift of the per-round ratios (the batch
 * route, at 200 rows a request, shows it most): read the rounds, not only
 * their median.
 *
 * @module
 */
import process from "node:process";
import { resolve } from "node:path";
import { parseChoiceFlag, parseFlags, parseIntegerFlag, parseNumberFlag } from "../lib/flags.ts";
import { ROOT } from "../lib/service.ts";
import { fmt, markdownTable, median, type SuiteRun } from "./stats.ts";

/** The help text. */
export const USAGE =
  `deno task bench inprocess [--against DIR] [--route predict|batch] [--rounds 10]
  [--seconds 2] [--concurrency 32] [--batch-size 200]`;

/** One checkout's app, ready for load. */
interface Subject {
  name: string;
  fetch(request: Request): Response | Promise<Response>;
  bodies: string[];
  close(): Promise<void>;
}

/** The part of a checkout's `api/testing/test_app.ts` this suite uses. */
interface TestAppModule {
  createTestApp(options: {
    artifactsDir: string;
    store: { synchronous: "FULL" };
  }): Promise<
    { app: { fetch(request: Request): Response | Promise<Response> } } & AsyncDisposable
  >;
  creditTestRows(limit?: number): Promise<Record<string, unknown>[]>;
}

async function subject(name: string, root: string, batchSize: number | null): Promise<Subject> {
  const mod: TestAppModule = await import(`file://${root}/api/testing/test_app.ts`);
  const rows = await mod.creditTestRows(200);
  const t = await mod.createTestApp({
    artifactsDir: `${root}/artifacts`,
    store: { synchronous: "FULL" },
  });
  return {
    name,
    fetch: (request) => t.app.fetch(request),
    bodies: batchSize === null
      ? rows.map((features) => JSON.stringify({ features }))
      : [JSON.stringify({ rows: Array.from({ length: batchSize }, (_, i) => rows[i % 200]) })],
    close: async () => await t[Symbol.asyncDispose](),
  };
}

/** Loads `s` for `ms` with `concurrency` requests in flight; process CPU µs per request. */
async function load(s: Subject, path: string, ms: number, concurrency: number): Promise<number> {
  let answered = 0;
  const stopAt = performance.now() + ms;
  const client = async () => {
    while (performance.now() < stopAt) {
      const body = s.bodies[answered % s.bodies.length];
      const res = await s.fetch(
        new Request(`http://bench${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", "content-length": String(body.length) },
          body,
        }),
      );
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${s.name}: ${path} answered ${res.status}`);
      answered++;
    }
  };
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, client));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / Math.max(1, answered);
}

/** Runs the suite. */
export const run: SuiteRun = async (args, log) => {
  const v = parseFlags(args, {
    against: { type: "string", default: "" },
    route: { type: "string", default: "predict" },
    rounds: { type: "string", default: "10" },
    seconds: { type: "string", default: "2" },
    concurrency: { type: "string", default: "32" },
    "batch-size": { type: "string", default: "200" },
  });
  const route = parseChoiceFlag("route", v.route, ["predict", "batch"]);
  const rounds = parseIntegerFlag("rounds", v.rounds, { min: 1, max: 1000 });
  const seconds = parseNumberFlag("seconds", v.seconds, { min: 0.05, max: 600 });
  const batchSize = parseIntegerFlag("batch-size", v["batch-size"], { min: 1, max: 1000 });
  // A batch is measured one request at a time: its cost per row, end to end.
  const concurrency = route === "batch"
    ? 1
    : parseIntegerFlag("concurrency", v.concurrency, { min: 1, max: 4096 });
  const path = route === "predict" ? "/predict" : "/predict_batch";
  const batchRows = route === "batch" ? batchSize : null;
  const perRequest = batchRows ?? 1;
  const subjects = [await subject("this checkout", resolve(ROOT), batchRows)];
  if (v.against) {
    subjects.push(await subject(`--against ${v.against}`, resolve(v.against), batchRows));
  }
  const cpu = subjects.map(() => [] as number[]);
  try {
    log(`inprocess: warm-up …`);
    for (const s of subjects) await load(s, path, Math.min(1000, seconds * 1000), concurrency);
    for (let r = 0; r < rounds; r++) {
      log(`inprocess: round ${r + 1} of ${rounds} …`);
      // Alternating which goes first, so neither always follows the other's garbage.
      const order = subjects.map((_, i) => i);
      if (r % 2 === 1) order.reverse();
      for (const i of order) {
        cpu[i].push((await load(subjects[i], path, seconds * 1000, concurrency)) / perRequest);
      }
    }
  } finally {
    for (const s of subjects) await s.close();
  }
  const unit = route === "predict" ? "CPU µs/request" : "CPU µs/row";
  const ratios = cpu.length === 2 ? cpu[0].map((x, r) => x / cpu[1][r]) : [];
  const markdown =
    `## inprocess: POST ${path} in process, c = ${concurrency}, ${rounds} alternating rounds ` +
    `of ${seconds} s (medians)\n\n` +
    markdownTable(
      ["app", unit, "rounds"],
      subjects.map((s, i) => [s.name, fmt(median(cpu[i])), cpu[i].map((x) => fmt(x)).join(" ")]),
    ) +
    (ratios.length
      ? `\n\nthis checkout ÷ the other, per round: ${ratios.map((x) => fmt(x)).join(" ")}; ` +
        `median **${fmt(median(ratios))}**`
      : "");
  return {
    json: {
      settings: { route, rounds, seconds, concurrency, batchSize, against: v.against || null },
      cpuUs: Object.fromEntries(subjects.map((s, i) => [s.name, cpu[i]])),
      medianRatio: ratios.length ? median(ratios) : null,
    },
    markdown,
  };
};
