/**
 * Who may show the site and the API docs in a frame: the CSP
 * `frame-ancestors` sources. `FRAME_ANCESTORS` sets them; left empty, they
 * are the deployment's own origin (`'self'`) and, on a Hugging Face Space
 * (`SPACE_HOST` or `SPACE_ID`, which Spaces set), that Space's page on
 * huggingface.co and its own `*.hf.space` host — never every `*.hf.space`
 * page, since anyone can create one.
 *
 * @module
 */

/** Hugging Face's site, which shows a Space's app in an iframe of the Space's page. */
export const HUGGING_FACE_ORIGIN = "https://huggingface.co";

const SPACE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** True for a well-formed Space id (`owner/name`, letters, digits, `.`, `_`, `-`). */
export function isSpaceId(text: string): boolean {
  return SPACE_ID.test(text);
}

/**
 * `<owner>-<name>.hf.space` for a Space id: lower-cased, with `_` and `.`
 * turned into `-` (host names allow neither). Throws when `spaceId` is not
 * `owner/name`.
 */
export function spaceHost(spaceId: string): string {
  if (!isSpaceId(spaceId)) {
    throw new Error(
      `not a Hugging Face Space id: ${JSON.stringify(spaceId)} (expected owner/name, e.g. ` +
        `"alice/scorewatch")`,
    );
  }
  return `${spaceId.replace("/", "-").toLowerCase().replace(/[._]/g, "-")}.hf.space`;
}

/**
 * One `frame-ancestors` source as `FRAME_ANCESTORS` may list it: `'self'`,
 * `'none'`, or an `http(s)://host[:port]` origin (a leading `*.` wildcard
 * allowed). Nothing that could end the directive (`;`, `,`, quotes, spaces).
 */
const SOURCE = /^(?:'self'|'none'|https?:\/\/(?:\*\.)?[A-Za-z0-9.-]+(?::\d{1,5})?)$/;

/** Splits and checks a `FRAME_ANCESTORS` value; throws naming the first bad source. */
export function parseFrameAncestors(value: string): string[] {
  const sources = value.split(/\s+/).filter((s) => s.length > 0);
  for (const source of sources) {
    if (!SOURCE.test(source)) {
      throw new Error(
        `${JSON.stringify(source)} is not a frame-ancestors source: use 'self', 'none' or ` +
          "origins such as https://example.org, separated by spaces",
      );
    }
  }
  if (sources.includes("'none'") && sources.length > 1) {
    throw new Error("'none' cannot be combined with other sources");
  }
  return sources;
}

/** What {@link resolveFrameAncestors} reads (the configuration's fields). */
export interface FrameAncestorsConfig {
  /** `FRAME_ANCESTORS`, parsed; empty = automatic. */
  frameAncestors: readonly string[];
  /** `SPACE_HOST` (set by Hugging Face Spaces), e.g. `alice-scorewatch.hf.space`. */
  spaceHost: string;
  /** `SPACE_ID` (set by Hugging Face Spaces), e.g. `alice/scorewatch`. */
  spaceId: string;
}

/** The Space's host when the environment names one, else null. */
function knownSpaceHost(config: Pick<FrameAncestorsConfig, "spaceHost" | "spaceId">) {
  const host = config.spaceHost.trim().toLowerCase();
  if (HOST.test(host)) return host;
  return isSpaceId(config.spaceId.trim()) ? spaceHost(config.spaceId.trim()) : null;
}

/** The `frame-ancestors` sources of the deployment. */
export function resolveFrameAncestors(config: FrameAncestorsConfig): string[] {
  if (config.frameAncestors.length > 0) return [...config.frameAncestors];
  const host = knownSpaceHost(config);
  return host === null ? ["'self'"] : ["'self'", HUGGING_FACE_ORIGIN, `https://${host}`];
}
