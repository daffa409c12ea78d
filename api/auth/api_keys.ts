/**
 * API keys: parsing the configured lists and recognising a presented key in
 * constant time. Keys are compared as SHA-256 digests with
 * `crypto.timingSafeEqual`, so neither the comparison nor the key length leaks
 * through timing; every configured key is compared, match or not.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Shortest key accepted in configuration (a guessable key is no key). */
export const MIN_KEY_LENGTH = 16;

/** The warning of open mode (no key configured), at start-up, on /health and on the site. */
export const OPEN_MODE_WARNING = "no API_KEYS or ADMIN_KEYS are set: every endpoint, the site " +
  "and the audit log are open to anyone who can reach this port";

/** What a recognised key may do. `admin` keys may also score. */
export type KeyScope = "scoring" | "admin";

/** A recognised key: its scope and a stable, non-secret id (for rate limits and logs). */
export interface KeyIdentity {
  scope: KeyScope;
  id: string;
}

/**
 * Splits a comma-separated key list. Throws when a key is shorter than
 * {@link MIN_KEY_LENGTH} (the message never contains the key).
 */
export function parseKeyList(value: string, variable: string): string[] {
  const keys = value.split(",").map((k) => k.trim()).filter((k) => k.length > 0);
  keys.forEach((k, i) => {
    if (k.length < MIN_KEY_LENGTH) {
      throw new Error(`${variable}: key #${i + 1} is shorter than ${MIN_KEY_LENGTH} characters`);
    }
  });
  return keys;
}

const digest = (key: string) => createHash("sha256").update(key).digest();

/** The non-secret id of a key: a prefix of its SHA-256, hex. */
export function keyId(key: string): string {
  return digest(key).toString("hex").slice(0, 12);
}

/** Recognises presented keys against the configured lists. */
export interface KeyRing {
  /** True when no key is configured at all: the service runs open. */
  readonly open: boolean;
  readonly hasAdminKeys: boolean;
  /** The identity of a presented key, or null when it matches no configured key. */
  identify(presented: string): KeyIdentity | null;
  /**
   * The identity of a configured key by its id, or null when no configured
   * key has it (any more): how a site session, bound to the id of the key
   * that logged in, is checked against the keys configured now.
   */
  byId(id: string): KeyIdentity | null;
}

/** Builds the key ring from the scoring and admin key lists. */
export function createKeyRing(
  lists: { scoring: readonly string[]; admin: readonly string[] },
): KeyRing {
  const entries = [
    ...lists.admin.map((k) => ({ scope: "admin" as const, digest: digest(k), id: keyId(k) })),
    ...lists.scoring.map((k) => ({ scope: "scoring" as const, digest: digest(k), id: keyId(k) })),
  ];
  const ids = new Map<string, KeyIdentity>();
  // Admin entries come first: a key listed in both lists is an admin key, as `identify` says.
  for (const e of entries) if (!ids.has(e.id)) ids.set(e.id, { scope: e.scope, id: e.id });
  return {
    open: entries.length === 0,
    hasAdminKeys: lists.admin.length > 0,
    identify(presented) {
      const d = digest(presented);
      let found: KeyIdentity | null = null;
      for (const e of entries) {
        if (timingSafeEqual(d, e.digest) && found === null) found = { scope: e.scope, id: e.id };
      }
      return found;
    },
    byId(id) {
      const identity = ids.get(id);
      return identity === undefined ? null : { ...identity };
    },
  };
}

/** The key a request presents: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(
  headers: { get(name: string): string | null | undefined },
): string | null {
  const auth = headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1].trim();
  }
  return headers.get("x-api-key")?.trim() || null;
}
