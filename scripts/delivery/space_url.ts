/**
 * The public URL of a Hugging Face Space from its id (`owner/name`), as the
 * deploy workflow needs it to poll the Space after a push: the host is
 * `<owner>-<name>.hf.space`, lower-cased, with `_` and `.` turned into `-`
 * (host names allow neither). The host rule lives with the service's
 * frame-ancestors default (`api/http/frame_ancestors.ts`), which needs it too.
 *
 * @module
 */
import { isSpaceId, spaceHost } from "../../api/http/frame_ancestors.ts";

export { isSpaceId };

/**
 * `https://<owner>-<name>.hf.space` for a Space id. Throws an Error naming the
 * expected form when `spaceId` is not `owner/name`.
 */
export function spaceUrl(spaceId: string): string {
  return `https://${spaceHost(spaceId)}`;
}
