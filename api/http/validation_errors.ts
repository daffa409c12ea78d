/**
 * Turns zod validation issues into the problem document's `errors` list, with
 * messages a caller can act on: which field, what was wrong, what to send.
 *
 * @module
 */
import type { z } from "@hono/zod-openapi";
import { type FieldError, ProblemError } from "./problem.ts";

type Issue = z.core.$ZodIssue;

/** JSON Pointer (RFC 6901) for a zod path. */
export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => "/" + String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

function describeInput(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "an array";
  if (typeof input === "number" && !Number.isFinite(input)) return String(input);
  if (typeof input === "string") {
    const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input;
    return `the string ${JSON.stringify(shown)}`;
  }
  return typeof input === "object" ? "an object" : `a ${typeof input}`;
}

/** The value at `path` inside `body`, or `undefined` when absent. */
function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let node = body;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

const MISSING_FEATURE = "required feature is missing: send its value, or null if it is unknown";

function issueDetail(issue: Issue, input: unknown): string {
  const inFeatures = issue.path.length >= 2;
  switch (issue.code) {
    case "invalid_type": {
      if (input === undefined) {
        return inFeatures
          ? MISSING_FEATURE
          : `required field is missing: expected ${issue.expected}`;
      }
      const nullable = inFeatures && issue.expected === "number" ? " (finite) or null" : "";
      return `expected a ${issue.expected}${nullable}, got ${describeInput(input)}`;
    }
    case "invalid_value": {
      if (input === undefined) return MISSING_FEATURE;
      const levels = `${issue.values.map((v) => JSON.stringify(v)).join(", ")}, or null if missing`;
      return typeof input === "string"
        ? `unknown level ${JSON.stringify(input)}: expected one of ${levels}`
        : `expected one of ${levels}; got ${describeInput(input)}`;
    }
    case "too_small":
      return issue.origin === "array"
        ? `must contain at least ${issue.minimum} item(s)`
        : `must be at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array"
        ? `must contain at most ${issue.maximum} item(s)`
        : `must be at most ${issue.maximum}`;
    default:
      return issue.message;
  }
}

/**
 * Flattens zod issues into field errors (one per unknown key). `body` is the
 * request body as received, to describe what was sent (zod issues do not
 * carry their input by default).
 */
export function toFieldErrors(issues: readonly Issue[], body: unknown): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const row = issue.path[0] === "rows" && typeof issue.path[1] === "number"
      ? { row: issue.path[1] }
      : {};
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({
          pointer: toPointer([...issue.path, key]),
          detail: issue.path.length
            ? "unknown feature: this model does not use it (see GET /openapi.json)"
            : "unknown field",
          ...row,
        });
      }
      continue;
    }
    const detail = issueDetail(issue, valueAt(body, issue.path));
    out.push({ pointer: toPointer(issue.path), detail, ...row });
  }
  return out;
}

/** Most field errors listed in one response; the detail says how many there were. */
export const MAX_LISTED_ERRORS = 50;

/**
 * The problem for a failed validation: 413 when a batch has too many rows,
 * 422 otherwise.
 */
export function validationProblem(issues: readonly Issue[], body: unknown): ProblemError {
  const tooMany = issues.find((i) =>
    i.code === "too_big" && i.path.length === 1 && i.path[0] === "rows"
  );
  if (tooMany && tooMany.code === "too_big") {
    return new ProblemError(
      413,
      "payload-too-large",
      `batch has too many rows: at most ${tooMany.maximum} rows per request (MAX_BATCH_ROWS); split it`,
    );
  }
  const errors = toFieldErrors(issues, body);
  const shown = errors.slice(0, MAX_LISTED_ERRORS);
  const summary = shown.slice(0, 3).map((e) => `${e.pointer || "(body)"}: ${e.detail}`).join("; ");
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : "";
  return new ProblemError(
    422,
    "validation",
    `${errors.length} invalid field(s): ${summary}${more}`,
    { errors: shown },
  );
}
