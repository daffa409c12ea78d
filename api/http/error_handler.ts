/**
 * Maps every error to an RFC 9457 problem response: the app's `onError` and
 * `notFound` handlers. Unexpected errors are logged with the request id and
 * answered with a generic 500 that leaks no internals.
 *
 * @module
 */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env.ts";
import { problem, ProblemError, problemResponse, type ProblemType } from "./problem.ts";
import { clip } from "./validation_errors.ts";

/** Longest request path echoed in a problem (`instance`, the 404's detail). */
const MAX_ECHOED_PATH = 200;

function fromHttpException(err: HTTPException): ProblemError {
  switch (err.status) {
    case 400:
      return new ProblemError(
        400,
        "malformed-json",
        "request body is not valid JSON: check quoting, commas and that NaN/Infinity are not used",
      );
    case 413:
      return new ProblemError(
        413,
        "payload-too-large",
        "request body is larger than MAX_BODY_BYTES",
      );
    case 415:
      return new ProblemError(
        415,
        "unsupported-media-type",
        "send the body as JSON with the header Content-Type: application/json",
      );
    default: {
      const type: ProblemType = err.status >= 500 ? "internal" : "validation";
      return new ProblemError(err.status, type, err.message || "request refused");
    }
  }
}

function render(c: Context<AppEnv>, err: ProblemError): Response {
  const body = problem(err.status, err.problemType, err.message, {
    instance: clip(c.req.path, MAX_ECHOED_PATH),
    requestId: c.get("requestId"),
    errors: err.errors,
  });
  const headers: Record<string, string> = { ...err.headers };
  const requestId = c.get("requestId");
  if (requestId) headers["x-request-id"] = requestId;
  return problemResponse(body, headers);
}

/** The client went away or cut its body short: its fault, not the server's. */
function isTruncatedBody(err: unknown): boolean {
  return err instanceof Deno.errors.BadResource || err instanceof Deno.errors.ConnectionReset ||
    err instanceof Deno.errors.UnexpectedEof;
}

/** The app's error handler. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ProblemError) return render(c, err);
  if (err instanceof HTTPException) return render(c, fromHttpException(err));
  if (isTruncatedBody(err)) {
    return render(
      c,
      new ProblemError(
        400,
        "malformed-json",
        "the request body ended before it was complete (connection closed or cut short); resend it",
      ),
    );
  }
  console.error(
    `[${c.get("requestId") ?? "-"}] unhandled error on ${c.req.method} ${c.req.path}:`,
    err,
  );
  return render(
    c,
    new ProblemError(
      500,
      "internal",
      "internal error; the request id identifies it in the server log",
    ),
  );
};

/** The app's 404 handler. */
export const notFound: NotFoundHandler<AppEnv> = (c) =>
  render(
    c,
    new ProblemError(
      404,
      "not-found",
      `no route ${c.req.method} ${clip(c.req.path, MAX_ECHOED_PATH)}; see /docs`,
    ),
  );
