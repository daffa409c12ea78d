/**
 * The window selector: plain links (`?window=…`), so it works without
 * JavaScript and every view has a shareable URL.
 *
 * @module
 */
import type { JSX } from "preact";
import { WINDOWS, type WindowSpec } from "../lib/window.ts";

/** Props of {@link WindowPicker}. */
export interface WindowPickerProps {
  current: WindowSpec;
  /** URL of the page for a window key. */
  href(key: string): string;
}

/** Links to the same page for each window. */
export function WindowPicker({ current, href }: WindowPickerProps): JSX.Element {
  return (
    <nav class="window-picker" aria-label="Time window">
      <span class="muted">Window:</span>
      {WINDOWS.map((w) => (
        <a
          key={w.key}
          href={href(w.key)}
          aria-current={w.key === current.key ? "true" : undefined}
        >
          {w.label}
        </a>
      ))}
    </nav>
  );
}
