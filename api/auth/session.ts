/**
 * Site sessions: after logging in with an admin key, the browser holds a
 * signed, expiring token in an HttpOnly cookie; forms carry a CSRF token
 * derived from that session. Both are HMAC-SHA256 under a server secret and
 * checked in constant time. Nothing is stored server-side; rotating the
 * secret (or restarting without SESSION_SECRET) logs everyone out.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { KeyIdentity } from "./api_keys.ts";

/** Name of the session cookie. */
export const SESSION_COOKIE = "scorewatch_session";

/** Issues and checks session and CSRF tokens. */
export interface SessionCodec {
  /** A session token for an identity, valid until `now + ttl`. */
  issue(identity: KeyIdentity, now: Date): string;
  /** The identity of a valid, unexpired token; null otherwise. */
  verify(token: string, now: Date): KeyIdentity | null;
  /** The CSRF token bound to a session token. */
  csrfFor(sessionToken: string): string;
  /** True when `presented` is the CSRF token of `sessionToken`. */
  checkCsrf(sessionToken: string, presented: string): boolean;
  /** Session lifetime, seconds (for the cookie's Max-Age). */
  readonly ttlSeconds: number;
}

const b64 = (data: string | Uint8Array) => Buffer.from(data).toString("base64url");

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Options for {@link createSessionCodec}. */
export interface SessionOptions {
  /** At least 32 bytes of secret. */
  secret: Uint8Array;
  /** Default 8 hours. */
  ttlSeconds?: number;
}

/** Creates the codec for one server secret. */
export function createSessionCodec(options: SessionOptions): SessionCodec {
  if (options.secret.length < 32) throw new Error("session secret must be at least 32 bytes");
  const ttlSeconds = options.ttlSeconds ?? 8 * 3600;
  const mac = (purpose: string, data: string) =>
    b64(createHmac("sha256", options.secret).update(`${purpose}.${data}`).digest());

  return {
    ttlSeconds,
    issue(identity, now) {
      const payload = b64(JSON.stringify({
        id: identity.id,
        scope: identity.scope,
        exp: Math.floor(now.getTime() / 1000) + ttlSeconds,
      }));
      return `${payload}.${mac("session", payload)}`;
    },
    verify(token, now) {
      const [payload, signature, extra] = token.split(".");
      if (!payload || !signature || extra !== undefined) return null;
      if (!sameText(signature, mac("session", payload))) return null;
      try {
        const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
        if (typeof claims.exp !== "number" || claims.exp * 1000 <= now.getTime()) return null;
        if (claims.scope !== "admin" && claims.scope !== "scoring") return null;
        return { id: String(claims.id), scope: claims.scope };
      } catch {
        return null;
      }
    },
    csrfFor: (sessionToken) => mac("csrf", sessionToken),
    checkCsrf: (sessionToken, presented) => sameText(presented, mac("csrf", sessionToken)),
  };
}
