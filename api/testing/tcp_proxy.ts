/**
 * A TCP proxy for fault tests: a store connects to the database through it,
 * and the test takes "the database" down (every connection cut, new ones
 * refused) and brings it back on the same port — an outage as the client
 * sees it, without stopping a server other tests share.
 *
 * @module
 */

/** A running proxy. */
export interface TcpProxy extends AsyncDisposable {
  /** The port it listens on (127.0.0.1), stable across down/up. */
  readonly port: number;
  /** Connections forwarded so far. */
  readonly accepted: number;
  /** Cuts every connection and refuses new ones. */
  down(): Promise<void>;
  /** Accepts connections again on the same port. */
  up(): void;
}

async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  try {
    await from.readable.pipeTo(to.writable, { preventClose: false });
  } catch {
    // Either side closed: the other goes too.
  }
}

/** Starts a proxy on 127.0.0.1 (ephemeral port) to `target`. */
export function startTcpProxy(target: { hostname: string; port: number }): TcpProxy {
  const open = new Set<Deno.Conn>();
  const loops = new Set<Promise<void>>();
  let listener: Deno.Listener | undefined;
  let accepted = 0;
  let port = 0;

  const close = (conn: Deno.Conn) => {
    if (!open.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  };

  async function serve(conn: Deno.Conn): Promise<void> {
    open.add(conn);
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect({ ...target, transport: "tcp" });
    } catch {
      close(conn);
      return;
    }
    open.add(upstream);
    await Promise.race([pipe(conn, upstream), pipe(upstream, conn)]);
    close(conn);
    close(upstream);
  }

  function listen(): void {
    listener = Deno.listen({ hostname: "127.0.0.1", port });
    port = (listener.addr as Deno.NetAddr).port;
    const current = listener;
    const loop = (async () => {
      try {
        for await (const conn of current) {
          accepted++;
          const served = serve(conn);
          loops.add(served);
          served.finally(() => loops.delete(served));
        }
      } catch {
        // The listener was closed.
      }
    })();
    loops.add(loop);
    loop.finally(() => loops.delete(loop));
  }

  async function down(): Promise<void> {
    listener?.close();
    listener = undefined;
    for (const conn of [...open]) close(conn);
    await Promise.all([...loops]);
  }

  listen();
  return {
    get port() {
      return port;
    },
    get accepted() {
      return accepted;
    },
    down,
    up() {
      if (!listener) listen();
    },
    async [Symbol.asyncDispose]() {
      await down();
    },
  };
}
