/**
 * The public URL of a Hugging Face Space from its id (`owner/name`), as the
 * deploy workflow needs it to poll the Space after a push: the host is
 * `<owner>-<name>.hf.space`, lower-cased, with `_` and `.` turned into `-`
 * (host names allow neither).
 *
 * @module
 */

const SPACE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** True for a well-formed Space id (`owner/name`, letters, digits, `.`, `_`, `-`). */
export function isSpaceId(text: string): boolean {
  return SPACE_ID.test(text);
}

/**
 * `https://<owner>-<name>.hf.space` for a Space id. Throws an Error naming the
 * expected form when `spaceId` is not `owner/name`.
 */
export function spaceUrl(spaceId: string): string {
  if (!isSpaceId(spaceId)) {
    throw new Error(
      `not a Hugging Face Space id: ${JSON.stringify(spaceId)} (expected owner/name, e.g. ` +
        `"alice/scorewatch")`,
    );
  }
  const label = spaceId.replace("/", "-").toLowerCase().replace(/[._]/g, "-");
  return `https://${label}.hf.space`;
}
