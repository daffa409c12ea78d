/**
 * A hook that refreshes server-rendered data by polling a small JSON
 * endpoint. Polling (rather than SSE) keeps the server stateless and works
 * behind any proxy; the endpoints are cheap rollup reads. Paused while the
 * tab is hidden; a failed poll keeps the last data.
 *
 * Browser code: imports only preact.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";

/** Returns `initial`, then each newer payload fetched from `url` every `pollMs`. */
export function usePolling<T>(url: string | undefined, pollMs: number, initial: T): T {
  const [data, setData] = useState(initial);
  useEffect(() => {
    if (!url || !(pollMs > 0)) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      if (document.visibilityState !== "hidden") {
        try {
          const res = await fetch(url, { headers: { accept: "application/json" } });
          if (res.ok) {
            const next = await res.json() as T;
            if (!stopped) setData(next);
          }
        } catch {
          // Offline or restarting: keep showing the last data, try again later.
        }
      }
      if (!stopped) timer = setTimeout(tick, pollMs);
    };
    timer = setTimeout(tick, pollMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [url, pollMs]);
  return data;
}
