/**
 * The site's forms accept form bodies only: `application/x-www-form-urlencoded`
 * (what its pages send) or `multipart/form-data`. Anything else — JSON from a
 * header-authenticated client, text, no body type at all — is refused with
 * 415 before any handler runs (it would otherwise read as an empty form,
 * e.g. score an applicant with every feature missing); a form body that
 * cannot be parsed (a broken multipart boundary, bytes that are no form) is
 * a 400, never a 500.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { ProblemError } from "../../api/http/problem.ts";

/** Media types the site's forms accept. */
export const FORM_TYPES: readonly string[] = [
  "application/x-www-form-urlencoded",
  "multipart/form-data",
];

const SAFE_METHODS = /^(GET|HEAD|OPTIONS)$/;

/** The request's media type, lower-case, without parameters ("" when none). */
function mediaType(c: Context): string {
  return (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
}

/** Refuses (415) a state-changing request whose body is not a form. */
export function formBodiesOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (!SAFE_METHODS.test(c.req.method) && !FORM_TYPES.includes(mediaType(c))) {
      throw new ProblemError(
        415,
        "unsupported-media-type",
        "the site's forms take application/x-www-form-urlencoded or multipart/form-data " +
          "bodies; API clients use the JSON API (/predict, /docs)",
      );
    }
    await next();
  };
}

/** A parsed form field: text, or a file of a multipart form. */
export type FormValue = string | File;

/**
 * The request's form fields (parsed once; Hono caches the result). A body
 * that does not parse as its declared form type is a 400 problem.
 */
export async function readForm(c: Context): Promise<Record<string, FormValue>> {
  try {
    return await c.req.parseBody() as Record<string, FormValue>;
  } catch (err) {
    throw new ProblemError(
      400,
      "malformed-form",
      "the form body could not be read (broken multipart boundary or encoding): submit the " +
        "form again from the site's page",
      { cause: err },
    );
  }
}
