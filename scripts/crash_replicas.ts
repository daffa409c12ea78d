/**
 * Two replicas on one PostgreSQL audit log, under load, through crashes:
 *
 * 1. starts two service processes (`deno task start`'s command) on a fresh
 *    schema, with one `SESSION_SECRET` and one admin key;
 * 2. checks one site for both: a session cookie from replica A opens the
 *    site on replica B, and B's log browser lists a row scored through A;
 * 3. loads both with concurrent /predict and /predict_batch requests (unique
 *    X-Request-Ids); SIGKILLs replica A mid-load;
 * 4. restarts PostgreSQL itself under the survivor's load (the command of
 *    `--restart`, default `pg_ctlcluster --skip-systemctl-redirect <v> main
 *    restart`), and keeps loading until the survivor has answered 200 again;
 * 5. restarts replica A, checks both are ready, stops both with SIGTERM;
 * 6. verifies: every item acknowledged with a 200 by either replica is in
 *    the log exactly once; the survivor answered 503 only while the database
 *    was down (from the restart command's start to `--grace-ms` after it
 *    returned), never anything else but 200; its /health/ready was 503
 *    during the outage and 200 after; it recovered by itself.
 *
 * Usage: deno task crash-test:replicas [--db URL] [--load-ms 2000]
 *          [--concurrency 8] [--batch-rows 10] [--grace-ms 3000]
 *          [--restart "pg_ctlcluster --skip-systemctl-redirect 15 main restart"]
 *
 * `--db` is a server where the test may create (and drops) a schema — and
 * which it restarts: do not point it at a database others are using.
 * Exit code 0 on success, 1 on failure, 2 on bad usage.
 *
 * @module
 */
import { join } from "node:path";
import pg from "pg";
import { readModelMeta } from "../api/scoring/model_meta.ts";
import { parseFlags, parseIntegerFlag, UsageError } from "./lib/flags.ts";
import { creditRows } from "./lib/credit_rows.ts";
import { runLoad } from "./crash/load.ts";
import { type Service, startService } from "./lib/service.ts";

/** Options for {@link runReplicaCrashTest}. */
export interface ReplicaCrashOptions {
  /** PostgreSQL server URL (a schema is created there, and the server restarted). */
  db: string;
  /** Load time before the kill, and between the kill and the restart of PostgreSQL. */
  loadMs: number;
  /** Clients per replica. */
  concurrency: number;
  maxBatchRows: number;
  /** After the restart command returned, 503s are still counted as "while down" this long. */
  graceMs: number;
  /** The command that restarts PostgreSQL (argv). */
  restart: string[];
  log?: (line: string) => void;
}

/** What the test saw. */
export interface ReplicaCrashReport {
  sent: number;
  acknowledged: number;
  found: number;
  lost: string[];
  duplicates: number;
  loggedNotAcknowledged: number;
  /** A's session cookie opened the site on B; B listed A's row. */
  sharedSite: boolean;
  /** The kill landed with requests in flight on A. */
  cutOff: number;
  /** How long the restart command took, ms. */
  outageMs: number;
  /** The survivor's answers by status: before, during (outage + grace) and after the outage. */
  survivor: {
    before: Record<number, number>;
    during: Record<number, number>;
    after: Record<number, number>;
  };
  /** The survivor's /health/ready during the outage (any 503 seen) and after it (200). */
  readyDuringOutage: number[];
  readyAfter: number;
  /** Replica A restarted on the same log and answered /health/ready 200; both exited 0 on SIGTERM. */
  restartedCleanly: boolean;
}

/** The checks; an empty list means PASS. */
export function problems(r: ReplicaCrashReport): string[] {
  const out: string[] = [];
  const only = (counts: Record<number, number>, allowed: number[]) =>
    Object.keys(counts).map(Number).filter((s) => !allowed.includes(s));
  if (r.acknowledged === 0) out.push("nothing was acknowledged");
  if (r.lost.length) out.push(`${r.lost.length} acknowledged items lost: ${r.lost.slice(0, 5)}`);
  if (r.duplicates) out.push(`${r.duplicates} request ids logged twice`);
  if (!r.sharedSite) out.push("the site is not one site across replicas");
  const early = only(r.survivor.before, [200]);
  if (early.length) out.push(`the survivor answered ${early} before the outage`);
  const late = only(r.survivor.after, [200]);
  if (late.length) out.push(`the survivor answered ${late} after the outage (did not recover)`);
  const during = only(r.survivor.during, [200, 503]);
  if (during.length) {
    out.push(`the survivor answered ${during} during the outage (only 503 allowed)`);
  }
  if (!(r.survivor.after[200] > 0)) out.push("the survivor never answered 200 after the outage");
  if (!r.readyDuringOutage.includes(503)) out.push("/health/ready never said 503 while down");
  if (r.readyAfter !== 200) out.push(`/health/ready answered ${r.readyAfter} after the outage`);
  if (!r.restartedCleanly) out.push("the killed replica did not restart cleanly");
  return out;
}

/** The summary table. */
export function formatReplicaReport(r: ReplicaCrashReport): string {
  const counts = (c: Record<number, number>) =>
    Object.entries(c).map(([s, n]) => `${s}: ${n}`).join(", ") || "none";
  const rows: [string, string | number][] = [
    ["requests sent (both replicas)", r.sent],
    ["requests cut off by the SIGKILL", r.cutOff],
    ["items acknowledged (200)", r.acknowledged],
    ["acknowledged found in the log", r.found],
    ["lost (must be 0)", r.lost.length],
    ["logged twice (must be 0)", r.duplicates],
    ["logged, answer cut off", r.loggedNotAcknowledged],
    ["PostgreSQL restart took", `${r.outageMs.toFixed(0)} ms`],
    ["survivor before the outage", counts(r.survivor.before)],
    ["survivor during the outage", counts(r.survivor.during)],
    ["survivor after the outage", counts(r.survivor.after)],
    ["survivor /health/ready while down", r.readyDuringOutage.join(", ") || "not polled"],
    ["survivor /health/ready after", r.readyAfter],
    ["one site across replicas", r.sharedSite ? "yes" : "NO"],
    ["killed replica restarted cleanly", r.restartedCleanly ? "yes" : "NO"],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const p = problems(r);
  return [...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`), ...p, p.length ? "FAIL" : "PASS"]
    .join("\n");
}

const ROOT = new URL("..", import.meta.url).pathname;
const ADMIN_KEY = "crash-replicas-admin-key-0123456789";
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The restart command of the local cluster: `pg_ctlcluster … <version> main restart`. */
export function defaultRestartCommand(): string[] {
  let versions: string[] = [];
  try {
    versions = [...Deno.readDirSync("/etc/postgresql")].map((e) => e.name).sort();
  } catch {
    // No Debian cluster layout: --restart must be given.
  }
  if (versions.length === 0) {
    throw new UsageError("no /etc/postgresql/<version>: pass --restart with the command");
  }
  return ["pg_ctlcluster", "--skip-systemctl-redirect", versions.at(-1)!, "main", "restart"];
}

async function admin<T>(db: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: db });
  client.on("error", () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Logs in on `a` with the admin key; opens the log browser of `b` with that cookie. */
async function checkSharedSite(a: string, b: string, requestId: string): Promise<boolean> {
  const login = await fetch(`${a}/monitor/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: a },
    body: new URLSearchParams({ key: ADMIN_KEY, next: "/monitor" }),
    redirect: "manual",
  });
  await login.body?.cancel();
  const cookie = login.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) return false;
  const page = await fetch(`${b}/monitor/predictions`, { headers: { cookie }, redirect: "manual" });
  const html = await page.text();
  return page.status === 200 && html.includes(requestId);
}

/** Runs the whole experiment on a fresh schema of `options.db`. */
export async function runReplicaCrashTest(
  options: ReplicaCrashOptions,
): Promise<ReplicaCrashReport> {
  const log = options.log ?? (() => {});
  const schema = `scorewatch_crash_${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  await admin(options.db, (c) => c.query(`CREATE SCHEMA "${schema}"`));
  const url = `${options.db}${options.db.includes("?") ? "&" : "?"}options=${
    encodeURIComponent(`-c search_path=${schema}`)
  }`;
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_crash_replicas_" });
  const env = {
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: "4",
    SESSION_SECRET: "crash-replicas-session-secret-0123456789abcdef",
    ADMIN_KEYS: ADMIN_KEY,
    API_KEYS: "",
    RATE_LIMIT_PER_MINUTE: "0",
    WORKERS: "1",
  };
  const start = (port?: number) => startService({ dbDir: dir, env, port });
  const rows = await creditRows((await readModelMeta(join(ROOT, "artifacts"))).features, 300);
  const prefix = `crashrep${Date.now().toString(36)}`;
  const headers = { "x-api-key": ADMIN_KEY };
  const services: Service[] = [];
  try {
    const a = await start();
    services.push(a);
    const b = await start();
    services.push(b);
    log(`replicas up: A ${a.baseUrl}, B ${b.baseUrl}`);

    // One site: a session from A works on B, and B sees what A logged.
    const probeId = `${prefix}-site`;
    const scored = await fetch(`${a.baseUrl}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": probeId, ...headers },
      body: JSON.stringify({ features: rows[0] }),
    });
    await scored.body?.cancel();
    const sharedSite = scored.status === 200 &&
      await checkSharedSite(a.baseUrl, b.baseUrl, probeId);
    const acknowledged: string[] = scored.status === 200 ? [probeId] : [];

    // The survivor's answers, with their times.
    const answers: { status: number; at: number }[] = [];
    const stopA = new AbortController();
    const stopB = new AbortController();
    const load = (base: string, name: string, stop: AbortSignal, record: boolean) =>
      runLoad({
        baseUrl: base,
        rows,
        concurrency: options.concurrency,
        maxBatchRows: options.maxBatchRows,
        idPrefix: `${prefix}-${name}`,
        stop,
        headers,
        onAnswer: record ? (status, at) => answers.push({ status, at }) : undefined,
      });
    const loadA = load(a.baseUrl, "a", stopA.signal, false);
    const loadB = load(b.baseUrl, "b", stopB.signal, true);
    await delay(options.loadMs);

    const killed = a.stop("SIGKILL");
    stopA.abort();
    const figuresA = await loadA;
    await killed;
    services.shift();
    log(`A killed: ${figuresA.acknowledged.length} items acknowledged, ${figuresA.failed} cut off`);
    await delay(options.loadMs);

    const ready: number[] = [];
    const downFrom = performance.now();
    const restart = new Deno.Command(options.restart[0], {
      args: options.restart.slice(1),
      stdout: "null",
      stderr: "piped",
    }).output();
    // Poll readiness while the restart runs (a condition, not a timer: each poll waits for its answer).
    let restarting = true;
    const polled = (async () => {
      while (restarting) {
        const r = await fetch(`${b.baseUrl}/health/ready`).catch(() => undefined);
        if (r) {
          ready.push(r.status);
          await r.body?.cancel();
        }
      }
    })();
    const restarted = await restart;
    restarting = false;
    await polled;
    const downTo = performance.now();
    if (!restarted.success) {
      throw new Error(
        `${options.restart.join(" ")} failed: ${new TextDecoder().decode(restarted.stderr)}`,
      );
    }
    log(`PostgreSQL restarted in ${(downTo - downFrom).toFixed(0)} ms`);

    // Load on until the survivor has answered 200 again (well after the grace period).
    const recoveredBy = downTo + options.graceMs;
    for (let i = 0; i < 600; i++) {
      if (answers.some((x) => x.at > recoveredBy + options.loadMs / 2 && x.status === 200)) break;
      await delay(50);
    }
    const readyAfter = await fetch(`${b.baseUrl}/health/ready`).then(async (r) => {
      await r.body?.cancel();
      return r.status;
    });
    stopB.abort();
    const figuresB = await loadB;

    // The killed replica comes back on the same log.
    const a2 = await start();
    services.unshift(a2);
    const a2Ready = await fetch(`${a2.baseUrl}/health/ready`);
    await a2Ready.body?.cancel();
    const codes = [];
    for (const s of services.splice(0)) codes.push((await s.stop("SIGTERM")).code);
    const restartedCleanly = a2Ready.status === 200 && codes.every((c) => c === 0);

    acknowledged.push(...figuresA.acknowledged, ...figuresB.acknowledged);
    const counts = new Map<string, number>();
    await admin(url, async (c) => {
      const { rows: logged } = await c.query(
        `SELECT request_id, count(*)::int AS n FROM predictions
          WHERE request_id >= $1 AND request_id < $2 GROUP BY request_id`,
        [prefix, `${prefix}\uffff`],
      );
      for (const r of logged) counts.set(r.request_id, r.n);
    });
    const lost = acknowledged.filter((id) => !counts.has(id));
    const acked = new Set(acknowledged);
    const bucket = (from: number, to: number) => {
      const c: Record<number, number> = {};
      for (const x of answers) if (x.at >= from && x.at < to) c[x.status] = (c[x.status] ?? 0) + 1;
      return c;
    };
    return {
      sent: figuresA.sent + figuresB.sent + 1,
      acknowledged: acknowledged.length,
      found: acknowledged.length - lost.length,
      lost,
      duplicates: [...counts.values()].filter((n) => n > 1).length,
      loggedNotAcknowledged: [...counts.keys()].filter((id) => !acked.has(id)).length,
      sharedSite,
      cutOff: figuresA.failed,
      outageMs: downTo - downFrom,
      survivor: {
        before: bucket(-Infinity, downFrom),
        during: bucket(downFrom, recoveredBy),
        after: bucket(recoveredBy, Infinity),
      },
      readyDuringOutage: [...new Set(ready)],
      readyAfter,
      restartedCleanly,
    };
  } finally {
    for (const s of services) await s.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await admin(options.db, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`))
      .catch((err) => log(`could not drop schema ${schema}: ${(err as Error).message}`));
  }
}

/** Parses the command line. */
export function parseReplicaCrashArgs(args: readonly string[]): ReplicaCrashOptions {
  const values = parseFlags(args, {
    db: { type: "string" },
    "load-ms": { type: "string" },
    concurrency: { type: "string" },
    "batch-rows": { type: "string" },
    "grace-ms": { type: "string" },
    restart: { type: "string" },
  });
  return {
    db: values.db ?? "postgres://postgres@127.0.0.1:5432/test",
    loadMs: parseIntegerFlag("load-ms", values["load-ms"] ?? "2000", { min: 100, max: 600_000 }),
    concurrency: parseIntegerFlag("concurrency", values.concurrency ?? "8", { min: 1, max: 256 }),
    maxBatchRows: parseIntegerFlag("batch-rows", values["batch-rows"] ?? "10", {
      min: 2,
      max: 1000,
    }),
    graceMs: parseIntegerFlag("grace-ms", values["grace-ms"] ?? "3000", { min: 0, max: 60_000 }),
    restart: values.restart ? values.restart.trim().split(/\s+/) : defaultRestartCommand(),
  };
}

if (import.meta.main) {
  let options: ReplicaCrashOptions;
  try {
    options = parseReplicaCrashArgs(Deno.args);
  } catch (err) {
    console.error(`crash-test:replicas: ${(err as Error).message}`);
    Deno.exit(2);
  }
  const report = await runReplicaCrashTest({ ...options, log: (line) => console.log(line) });
  console.log(formatReplicaReport(report));
  Deno.exit(problems(report).length ? 1 : 0);
}
