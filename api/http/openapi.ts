/**
 * The OpenAPI document's shared parts: the security schemes (a Bearer token
 * or `X-API-Key`), the responses every route can give because of the
 * app-wide middleware (503 when overloaded, 504 past the deadline, a
 * `default` problem for 404/405/413/500), the headers they carry, and
 * {@link finishDocument}, which adds them — with `servers`, the licence and
 * the tags — to the document the routes describe. Route modules declare what
 * is theirs (their statuses, security, operation ids); this module what every
 * route shares, in one place.
 *
 * @module
 */
import { type HeaderSpec, PROBLEM_MEDIA_TYPE, problemResponses } from "./problem.ts";

/** Name of the Bearer-token security scheme. */
export const BEARER_AUTH = "bearerAuth";
/** Name of the `X-API-Key` security scheme. */
export const API_KEY_HEADER = "apiKeyHeader";

/** The routes that need a key: either scheme will do. */
export const KEY_REQUIRED: Record<string, string[]>[] = [
  { [BEARER_AUTH]: [] },
  { [API_KEY_HEADER]: [] },
];

/** Public routes: no key. */
export const PUBLIC: Record<string, string[]>[] = [];

/** The security schemes of the document. */
export const SECURITY_SCHEMES = {
  [BEARER_AUTH]: {
    type: "http",
    scheme: "bearer",
    description: "An API key as `Authorization: Bearer <key>`: a scoring key (API_KEYS) for " +
      "scoring and feedback, an admin key (ADMIN_KEYS) for everything.",
  },
  [API_KEY_HEADER]: {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "The same keys as `X-API-Key: <key>`.",
  },
} as const;

/** `Retry-After` (seconds), on every 429 and 503. */
export const RETRY_AFTER: Record<string, HeaderSpec> = {
  "Retry-After": {
    description: "Seconds to wait before retrying.",
    required: true,
    schema: { type: "integer", minimum: 1 },
  },
};

/** `WWW-Authenticate`, on every 401 of a keyed route. */
export const WWW_AUTHENTICATE: Record<string, HeaderSpec> = {
  "WWW-Authenticate": {
    description: 'The scheme to use: `Bearer realm="scorewatch"`.',
    required: true,
    schema: { type: "string" },
  },
};

/** The responses of a route behind keys: 401 without a valid key, 429 past a budget. */
export const KEYED_RESPONSES = problemResponses({
  401: {
    description: "No API key, or not a valid one.",
    headers: WWW_AUTHENTICATE,
  },
  429: {
    description: "Over RATE_LIMIT_PER_MINUTE for this key, or too many failed authentication " +
      "attempts from this client (AUTH_FAILURES_PER_MINUTE).",
    headers: RETRY_AFTER,
  },
});

const OVERLOADED = "The service is handling MAX_CONCURRENT_REQUESTS requests already: retry " +
  "after Retry-After seconds.";
const OVERLOADED_TOO = "Also when the service is handling MAX_CONCURRENT_REQUESTS requests " +
  "already. Retry after Retry-After seconds.";

/** The `X-Request-Id` every answer carries. */
const REQUEST_ID: HeaderSpec = {
  description: "The request's id: the caller's X-Request-Id when it was safe to reuse, else a " +
    "new time-ordered UUID (version 7). Every log line and problem document of the request " +
    "carries it.",
  schema: { type: "string" },
};

/** The licence declared in the document. */
export const LICENSE = {
  // TODO(maintainers): no licence has been chosen for Scorewatch yet; name it here when it is.
  name: "All rights reserved: no licence has been granted yet",
  identifier: "LicenseRef-Scorewatch-All-Rights-Reserved",
};

/** The tags of the document, with what they group. */
export const TAGS = [
  { name: "scoring", description: "Score applications; every decision is logged first." },
  { name: "feedback", description: "Report what happened to a scored application." },
  { name: "health", description: "Liveness, readiness and status." },
  { name: "operations", description: "Metrics and this documentation." },
  {
    name: "models",
    description: "Model versions: champion, shadows, promote, roll back (admin keys only).",
  },
];

// Loose shapes of the parts of an OpenAPI 3.1 document edited here.
type Json = Record<string, unknown>;
interface Operation extends Json {
  security?: Record<string, string[]>[];
  responses: Record<string, Json & { headers?: Json }>;
}
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Options of {@link finishDocument}. */
export interface FinishOptions {
  /** Open mode (no key configured): keyed routes may be called without one. */
  open: boolean;
  /** Operations that await I/O, so a request to them can run past REQUEST_TIMEOUT_MS. */
  mayTimeOut: ReadonlySet<string>;
}

/**
 * Completes the document the routes described: security schemes (and, in
 * open mode, keys made optional), the app-wide responses on every
 * operation, `X-Request-Id` on every response, servers, licence, tags.
 * Returns a new document.
 */
export function finishDocument(document: object, options: FinishOptions): Record<string, unknown> {
  const doc = structuredClone(document) as Record<string, unknown> & {
    info: Json;
    paths: Record<string, Record<string, Operation>>;
    components?: Json;
  };
  doc.info.license = LICENSE;
  Object.assign(doc, { servers: [{ url: "/", description: "This deployment" }], tags: TAGS });
  doc.components = { ...doc.components, securitySchemes: SECURITY_SCHEMES };
  const timeout = "The request took longer than REQUEST_TIMEOUT_MS (it may still have been " +
    "logged: retry with the same X-Request-Id to find out).";
  const problem = { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: "#/components/schemas/Problem" } } };
  for (const item of Object.values(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      if (options.open && op.security?.length) op.security = [{}, ...op.security];
      const r = op.responses;
      r["503"] = r["503"]
        ? { ...r["503"], description: `${r["503"].description} ${OVERLOADED_TOO}` }
        : { description: OVERLOADED, content: problem };
      r["503"].headers = { ...r["503"].headers, ...RETRY_AFTER };
      if (options.mayTimeOut.has(op.operationId as string)) {
        r["504"] ??= { description: timeout, content: problem };
      }
      r.default ??= {
        description: "Any other error, as a problem document: 404 (no such route), 405 (method " +
          "not allowed; Allow lists the methods), 413 (body over MAX_BODY_BYTES), 500 " +
          "(internal error: quote the request id).",
        content: problem,
      };
      for (const response of Object.values(r)) {
        response.headers = { "X-Request-Id": REQUEST_ID, ...response.headers };
      }
    }
  }
  return doc;
}
