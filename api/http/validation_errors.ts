/**
 * Turns zod validation issues into the problem document's `errors` list, with
 * messages a caller can act on: which field, what was wrong, what to send.
 * A body field is located by a JSON Pointer (`pointer`), a query parameter by
 * its name (`parameter`). Values and keys the caller sent are echoed cut
 * short ({@link MAX_ECHOED_CHARS}), so an answer stays small whatever the
 * request held.
 *
 * @module
 */
import type { z } from "@hono/zod-openapi";
import { type FieldError, ProblemError } from "./problem.ts";

type Issue = z.core.$ZodIssue;

/** Longest piece of a caller's value or key echoed in a message (in UTF-16 units). */
export const MAX_ECHOED_CHARS = 40;
/** Longest key echoed inside a pointer. */
const MAX_POINTER_KEY_CHARS = 100;

/** `text` cut to `max` characters, marked with an ellipsis when cut. */
export function clip(text: string, max = MAX_ECHOED_CHARS): string {
  if (text.length <= max) return text;
  // Do not split a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

/** JSON Pointer (RFC 6901) for a zod path; very long keys are cut short (marked `…`). */
export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((p) =>
    "/" + clip(String(p), MAX_POINTER_KEY_CHARS).replaceAll("~", "~0").replaceAll("/", "~1")
  ).join("");
}

function describeInput(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "an array";
  if (typeof input === "number" && !Number.isFinite(input)) return String(input);
  if (typeof input === "string") return `the string ${JSON.stringify(clip(input))}`;
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

/**
 * True for a feature value (`/features/<name>`, `/rows/<i>/<name>`): the only
 * fields where null means "missing".
 */
function isFeaturePath(path: readonly PropertyKey[]): boolean {
  return (path.length === 2 && path[0] === "features") ||
    (path.length === 3 && path[0] === "rows");
}

function issueDetail(issue: Issue, input: unknown): string {
  const inFeatures = isFeaturePath(issue.path);
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
      if (input === undefined) {
        return inFeatures
          ? MISSING_FEATURE
          : `required field is missing: expected one of ${listed(issue.values)}`;
      }
      const levels = inFeatures
        ? `${listed(issue.values)}, or null if missing`
        : listed(issue.values);
      if (typeof input !== "string") {
        return `expected one of ${levels}; got ${describeInput(input)}`;
      }
      return inFeatures
        ? `unknown level ${JSON.stringify(clip(input))}: expected one of ${levels}`
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

const listed = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(", ");

/** Where a validator looked: the JSON body, or the query string. */
export type ValidationTarget = "json" | "query";

/** The location of a field: a pointer into the body, or a query parameter's name. */
function locate(target: ValidationTarget, path: readonly PropertyKey[]) {
  return target === "query"
    ? { parameter: clip(String(path[0] ?? ""), MAX_POINTER_KEY_CHARS) }
    : { pointer: toPointer(path) };
}

/**
 * Flattens zod issues into field errors (one per unknown key). `input` is the
 * body (or query) as received, to describe what was sent (zod issues do not
 * carry their input by default).
 */
export function toFieldErrors(
  issues: readonly Issue[],
  input: unknown,
  target: ValidationTarget = "json",
): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const row = issue.path[0] === "rows" && typeof issue.path[1] === "number"
      ? { row: issue.path[1] }
      : {};
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({
          ...locate(target, [...issue.path, key]),
          detail: target === "query"
            ? "unknown query parameter"
            : issue.path.length
            ? "unknown feature: this model does not use it (see GET /openapi.json)"
            : "unknown field",
          ...row,
        });
      }
      continue;
    }
    const detail = issueDetail(issue, valueAt(input, issue.path));
    out.push({ ...locate(target, issue.path), detail, ...row });
  }
  return out;
}

/** How a field error is named in the problem's `detail`. */
function where(e: FieldError): string {
  if (e.parameter !== undefined) return `query parameter ${e.parameter}`;
  return e.pointer || "(body)";
}

/** Most field errors listed in one response; the detail says how many there were. */
export const MAX_LISTED_ERRORS = 50;

/**
 * The problem for a failed validation: 413 when a batch has too many rows,
 * 422 otherwise.
 */
export function validationProblem(
  issues: readonly Issue[],
  body: unknown,
  target: ValidationTarget = "json",
): ProblemError {
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
  const errors = toFieldErrors(issues, body, target);
  const shown = errors.slice(0, MAX_LISTED_ERRORS);
  const summary = shown.slice(0, 3).map((e) => `${where(e)}: ${e.detail}`).join("; ");
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : "";
  return new ProblemError(
    422,
    "validation",
    `${errors.length} invalid field(s): ${summary}${more}`,
    { errors: shown },
  );
}
