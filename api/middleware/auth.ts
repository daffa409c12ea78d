/**
 * API-key authentication (Hono middleware): a request presents a key as
 * `Authorization: Bearer <key>` or `X-API-Key`, or — for the site — a session
 * cookie obtained by logging in with an admin key. With no key configured at
 * all the service runs open (for local demos) and every request passes.
 *
 * Scopes: scoring keys (`API_KEYS`) may score and send feedback; admin keys
 * (`ADMIN_KEYS`) may do that and use the site, the log browser and /metrics.
 *
 * A session is bound to the id of the key that logged in and holds only while
 * that key is still configured: its scope is the key's scope now, so a key
 * removed from `ADMIN_KEYS` (and the service restarted with the new list)
 * ends its sessions at once. Wrong keys count towards the client's
 * failed-authentication budget ({@link AuthThrottle}) and are logged.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../http/env.ts";
import { type KeyIdentity, type KeyRing, type KeyScope, presentedKey } from "../auth/api_keys.ts";
import { SESSION_COOKIE, type SessionCodec } from "../auth/session.ts";
import { ProblemError } from "../http/problem.ts";
import type { AuthThrottle } from "./auth_throttle.ts";

/** Options for {@link requireKey}. */
export interface RequireKeyOptions {
  ring: KeyRing;
  /** The scope the routes need. */
  scope: KeyScope;
  /** Accept site session cookies too (admin pages). */
  sessions?: SessionCodec;
  /** Throttles and logs wrong keys per client. Default: neither. */
  throttle?: AuthThrottle;
  /**
   * What to answer a request that presented nothing (default: 401 problem).
   * The site redirects browsers to its login page instead.
   */
  onMissing?: (c: Context<AppEnv>) => Response | Promise<Response>;
  now?: () => Date;
}

const CHALLENGE = { "www-authenticate": 'Bearer realm="scorewatch"' };

function unauthorized(detail: string): ProblemError {
  return new ProblemError(401, "unauthorized", detail, { headers: CHALLENGE });
}

/** The identity of a session token: valid, unexpired, and its key still configured. */
function sessionIdentity(
  token: string,
  sessions: SessionCodec,
  ring: KeyRing,
  now: Date,
): KeyIdentity | null {
  const claims = sessions.verify(token, now);
  return claims === null ? null : ring.byId(claims.id);
}

/** Requires a key (or session) of `scope`; sets `identity` and `authVia`. */
export function requireKey(options: RequireKeyOptions): MiddlewareHandler<AppEnv> {
  const { ring, scope, throttle } = options;
  const now = options.now ?? (() => new Date());
  // Not async: it only checks, so it keeps no frame of its own alive (front_door.ts says why).
  return (c, next) => {
    if (ring.open) {
      c.set("authVia", "open");
      return next();
    }
    const key = presentedKey(c.req.raw.headers);
    if (key !== null) throttle?.check(c);
    const sessionToken = key === null && options.sessions
      ? getCookie(c, SESSION_COOKIE)
      : undefined;
    const identity = key !== null
      ? ring.identify(key)
      : sessionToken
      ? sessionIdentity(sessionToken, options.sessions!, ring, now())
      : null;
    if (identity === null) {
      if (key !== null) {
        throttle?.failed(c, "wrong API key");
        throw unauthorized("the API key is not valid");
      }
      if (options.onMissing) return Promise.resolve(options.onMissing(c));
      throw unauthorized("send an API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`");
    }
    if (scope === "admin" && identity.scope !== "admin") {
      throw new ProblemError(
        403,
        "forbidden",
        ring.hasAdminKeys
          ? "this key may score but not administer: use an ADMIN_KEYS key"
          : "no ADMIN_KEYS are configured, so the monitoring site and /metrics are closed",
      );
    }
    c.set("identity", identity);
    c.set("authVia", key !== null ? "key" : "session");
    if (sessionToken) c.set("sessionToken", sessionToken);
    return next();
  };
}
