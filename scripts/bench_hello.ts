/**
 * The baseline of `deno task bench`: a bare `Deno.serve` route on 127.0.0.1.
 * It reads the request body (the service reads the same bodies) and answers
 * a small JSON document, with no framework, validation, model or database, so
 * the service's figures can be given as a ratio to what the runtime's HTTP
 * stack alone costs on the same machine, in the same run.
 *
 *   deno run --allow-net=127.0.0.1 scripts/bench_hello.ts [PORT]
 *
 * Prints `hello ready on http://127.0.0.1:PORT` (PORT 0 = any free port).
 * `GET /metrics` answers the process CPU time in the Prometheus text format
 * (`process_cpu_seconds_total`), so the bench compares CPU per request with
 * the service's; every other request gets the hello answer.
 *
 * @module
 */
import process from "node:process";

const port = Number(Deno.args[0] ?? "0");
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`bench_hello: invalid port ${Deno.args[0]}`);
  Deno.exit(2);
}
const headers = { "content-type": "application/json" };

function cpuMetrics(): Response {
  const { user, system } = process.cpuUsage();
  return new Response(`process_cpu_seconds_total ${(user + system) / 1e6}\n`, {
    headers: { "content-type": "text/plain; version=0.0.4" },
  });
}

Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: ({ hostname, port }) => console.log(`hello ready on http://${hostname}:${port}`),
}, async (req) => {
  if (req.body) await req.arrayBuffer();
  else if (req.url.endsWith("/metrics")) return cpuMetrics();
  return new Response('{"hello":"world"}', { headers });
});
