/**
 * Model-state news between the serving units of one process (the worker
 * threads of `WORKERS`): a unit that changed the roles or rescanned its
 * directories says so on a `BroadcastChannel`, and its siblings act at once
 * (read the state, rescan) instead of waiting for their next poll. Other
 * processes (replicas) learn by polling the database.
 *
 * @module
 */

/** What a unit announces. */
export type ModelEvent = "changed" | "reloaded";

/** One unit's end of the channel. */
export interface ModelNews {
  /** Tells the siblings (never this unit itself). */
  announce(event: ModelEvent): void;
  /** What to do on a sibling's news; errors go to `onError`. */
  listen(on: Record<ModelEvent, () => Promise<unknown>>, onError: (err: unknown) => void): void;
  close(): void;
}

/** The channel every unit of this process opens under the same name. */
export const MODEL_NEWS_CHANNEL = "scorewatch-models";

/** Opens this unit's end of the channel `name`. */
export function openModelNews(name = MODEL_NEWS_CHANNEL): ModelNews {
  const channel = new BroadcastChannel(name);
  return {
    announce: (event) => channel.postMessage(event),
    listen(on, onError) {
      channel.onmessage = (message: MessageEvent<ModelEvent>) => {
        const handle = on[message.data];
        if (handle) handle().catch(onError);
      };
    },
    close: () => channel.close(),
  };
}
