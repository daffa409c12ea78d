/**
 * Serves a fetch handler on 127.0.0.1 on a free port, for tools and tests that
 * drive the app over real HTTP (screenshots, browser tests).
 *
 * @module
 */

/** A running HTTP server. */
export interface LocalServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
}

/** Serves `fetch` on 127.0.0.1, on a free port. */
export function serveOnLocalhost(
  fetch: (req: Request) => Response | Promise<Response>,
): LocalServer {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, fetch);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}
