/**
 * Request ids: the caller's `X-Request-Id` when acceptable, else a new
 * time-ordered UUID (version 7, RFC 9562, from the `uuid` package).
 *
 * Why version 7: an id the service issues is the audit log's unique
 * `(request_id, client_id)` key. Issued in time order, each new key goes to
 * the end of that index; random (version 4) keys land on a random page of
 * it, and every commit rewrites one index page per row. Measured with
 * `deno task bench ids` (the store's group commit, `synchronous=FULL`, 32
 * one-row entries per commit): random ids cost 1.6× the CPU per row of
 * time-ordered ones over 60,000 rows, 2.0× over 200,000, and the gap grows
 * with the log. A v7 id still holds 74 random bits, so it cannot be
 * guessed; it tells the time it was issued, which its caller knows anyway.
 *
 * @module
 */
import { v7 } from "uuid";

/** The longest request id a caller may choose (Hono's `requestId` middleware's limit). */
const MAX_LENGTH = 255;
/** Characters a caller's request id may hold: letters, digits, `_`, `-`, `=`. */
const ACCEPTABLE = /^[\w\-=]+$/;

/** A new request id: a UUID version 7, later than every id issued before by this process. */
export const newRequestId = (): string => v7();

/**
 * The request id of a request: the caller's `X-Request-Id` when it is
 * acceptable (1–255 of the characters above, as Hono's `requestId`
 * middleware accepts), else a new one from `generate`.
 */
export function requestIdFrom(header: string | undefined, generate: () => string): string {
  return header && header.length <= MAX_LENGTH && ACCEPTABLE.test(header) ? header : generate();
}
