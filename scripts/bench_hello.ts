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
 *
 * @module
 */
const port = Number(Deno.args[0] ?? "0");
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`bench_hello: invalid port ${Deno.args[0]}`);
  Deno.exit(2);
}
const headers = { "content-type": "application/json" };

Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: ({ hostname, port }) => console.log(`hello ready on http://${hostname}:${port}`),
}, async (req) => {
  if (req.body) await req.arrayBuffer();
  return new Response('{"hello":"world"}', { headers });
});
