/**
 * The model-version selector of the drift and performance pages: plain links
 * (`?version=…`), shown when several versions scored rows. "All rows" is the
 * whole log as served (every answered row, whichever version answered it).
 *
 * @module
 */
import type { JSX } from "preact";

/** Props of {@link VersionPicker}. */
export interface VersionPickerProps {
  versions: readonly string[];
  /** The selected version; undefined = all rows. */
  current: string | undefined;
  /** URL of the page for a version (undefined = all rows). */
  href(version: string | undefined): string;
}

/** Links to the same page per version; nothing with fewer than two versions and none selected. */
export function VersionPicker({ versions, current, href }: VersionPickerProps): JSX.Element | null {
  if (versions.length < 2 && current === undefined) return null;
  return (
    <nav class="window-picker" aria-label="Model version" data-testid="version-picker">
      <span class="muted">Model:</span>
      <a href={href(undefined)} aria-current={current === undefined ? "true" : undefined}>
        All rows
      </a>
      {versions.map((v) => (
        <a key={v} href={href(v)} aria-current={v === current ? "true" : undefined}>
          {v}
        </a>
      ))}
    </nav>
  );
}
