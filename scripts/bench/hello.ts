/**
 * The first baselines of `deno task bench http`: a bare `Deno.serve` on
 * 127.0.0.1 that reads the request body, if any, and answers a constant —
 * `get-hello` (GET, no body) and `post-hello` (POSTing the /predict bodies:
 * the least any POST endpoint can cost here). No framework, validation,
 * model or database: the service's figures are ratios to what the runtime's
 * HTTP stack alone costs, on the same machine, in the same run.
 *
 *   deno run --allow-net=127.0.0.1 scripts/bench/hello.ts
 *
 * Also exports {@link serveBaseline}, which the minimal handler shares.
 *
 * @module
 */
import process from "node:process";

/**
 * Serves `handler` on 127.0.0.1, any free port, printing
 * `listening on http://127.0.0.1:PORT`. `GET /metrics` answers the process
 * CPU time (getrusage, as the service's `process_cpu_seconds_total`): the
 * bench reads it before and after a load for CPU µs per request (Deno may
 * not read `/proc/<pid>/stat` without `--allow-all`).
 */
export function serveBaseline(handler: (req: Request) => Response | Promise<Response>): void {
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
  }, (req) => {
    if (req.method !== "GET" || !req.url.endsWith("/metrics")) return handler(req);
    const { user, system } = process.cpuUsage();
    return new Response(`process_cpu_seconds_total ${(user + system) / 1e6}\n`);
  });
}

if (import.meta.main) {
  const headers = { "content-type": "application/json" };
  serveBaseline(async (req) => {
    if (req.body) await req.arrayBuffer();
    return new Response('{"hello":"world"}', { headers });
  });
}
