/**
 * RFC 9457 problem details: every error the service returns is an
 * `application/problem+json` document built here.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";

/** Media type of every error response. */
export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/**
 * One invalid field: located by a JSON Pointer (RFC 6901) into the request
 * body, or, for a query parameter, by the parameter's name.
 */
export interface FieldError {
  pointer?: string;
  parameter?: string;
  detail: string;
  /** Row index, for batch requests. */
  row?: number;
}

/** Problem types this service uses: slug → title. */
export const PROBLEM_TYPES = {
  "malformed-json": "Request body is not valid JSON",
  "malformed-form": "Form body cannot be read",
  "validation": "Request does not match the schema",
  "unsupported-media-type": "Unsupported media type",
  "payload-too-large": "Payload too large",
  "not-found": "Not found",
  "conflict": "Conflict",
  "incompatible-model": "Model version incompatible with the champion",
  "duplicate-request-id": "Request id already used",
  "method-not-allowed": "Method not allowed",
  "log-unavailable": "Audit log unavailable",
  "unauthorized": "Unauthorized",
  "forbidden": "Forbidden",
  "rate-limited": "Too many requests",
  "overloaded": "Service overloaded",
  "timeout": "Request timed out",
  "internal": "Internal server error",
} as const;

/** A problem type slug. */
export type ProblemType = keyof typeof PROBLEM_TYPES;

/** The problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  request_id?: string;
  errors?: FieldError[];
}

/** An error that the app's error handler turns into a problem response. */
export class ProblemError extends Error {
  readonly status: number;
  readonly problemType: ProblemType;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(
    status: number,
    problemType: ProblemType,
    detail: string,
    extra: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: extra.cause });
    this.name = "ProblemError";
    this.status = status;
    this.problemType = problemType;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }
}

/** Builds the problem document for a type. */
export function problem(
  status: number,
  type: ProblemType,
  detail: string,
  extra: { instance?: string; requestId?: string; errors?: FieldError[] } = {},
): Problem {
  return {
    type: `/problems/${type}`,
    title: PROBLEM_TYPES[type],
    status,
    detail,
    ...(extra.instance ? { instance: extra.instance } : {}),
    ...(extra.requestId ? { request_id: extra.requestId } : {}),
    ...(extra.errors?.length ? { errors: extra.errors } : {}),
  };
}

/** A `Response` carrying a problem document. */
export function problemResponse(body: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { "content-type": PROBLEM_MEDIA_TYPE, ...headers },
  });
}

/** The problem document's schema, for the OpenAPI description. */
export const ProblemSchema = z.object({
  type: z.string().openapi({
    description: "A stable identifier of the kind of problem; GET it for a description.",
    example: "/problems/validation",
  }),
  title: z.string().openapi({ example: PROBLEM_TYPES.validation }),
  status: z.number().int().min(400).max(599).openapi({ example: 422 }),
  detail: z.string().openapi({
    description: "What went wrong and what to do about it.",
    example: "1 invalid field(s): /features/amount: expected a number (finite) or null, got " +
      'the string "high"',
  }),
  instance: z.string().optional().openapi({
    description: "The request's path.",
    example: "/predict",
  }),
  request_id: z.string().optional().openapi({
    description: "The request's id (also in X-Request-Id): quote it when reporting a problem.",
  }),
  errors: z.array(
    z.object({
      pointer: z.string().optional().openapi({
        description: "JSON Pointer (RFC 6901) to the field in the request body.",
        example: "/features/amount",
      }),
      parameter: z.string().optional().openapi({
        description: "The query parameter, when the error is in the query string.",
        example: "explain",
      }),
      detail: z.string().openapi({
        example: 'expected a number (finite) or null, got the string "high"',
      }),
      row: z.number().int().optional().openapi({ description: "The row of a batch." }),
    }).strict(),
  ).optional().openapi({ description: "One entry per invalid field (at most 50)." }),
}).strict().openapi("Problem", {
  description: "An RFC 9457 problem document: every error answer of the service.",
});

/** An OpenAPI response header (the shape `headers` of a response takes). */
export interface HeaderSpec {
  description: string;
  required?: boolean;
  schema: { type: "integer" | "string"; minimum?: number };
}

/** A problem response: its description and, if any, the headers it always carries. */
export type ProblemResponseSpec = string | {
  description: string;
  headers?: Record<string, HeaderSpec>;
};

/** OpenAPI response entries for a set of error statuses. */
export function problemResponses(
  statuses: Record<number, ProblemResponseSpec>,
): Record<
  number,
  {
    description: string;
    headers?: Record<string, HeaderSpec>;
    content: Record<string, { schema: typeof ProblemSchema }>;
  }
> {
  return Object.fromEntries(
    Object.entries(statuses).map(([status, spec]) => {
      const { description, headers } = typeof spec === "string" ? { description: spec } : spec;
      return [
        status,
        {
          description,
          ...(headers ? { headers } : {}),
          content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } },
        },
      ];
    }),
  );
}
