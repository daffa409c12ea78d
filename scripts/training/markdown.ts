/**
 * Minimal Markdown writing for generated documents (the model card), laid out
 * the way `deno fmt` lays Markdown out (prose wrapped at the configured line
 * width, table columns padded), so generated files pass `deno fmt --check`
 * without a formatter run. Hand-written: these three layouts are all the
 * project generates, and no dependency formats Markdown from Deno code.
 *
 * @module
 */

/** `deno fmt`'s line width in this repository (deno.json `fmt.lineWidth`). */
export const LINE_WIDTH = 100;

/** Greedy word wrap at `width`, each line after the first prefixed by `indent`. */
function wrap(text: string, options: { first: string; indent: string; width: number }): string {
  const lines: string[] = [];
  let line = options.first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (!empty && line.length + 1 + word.length > options.width) {
      lines.push(line);
      line = options.indent + word;
    } else {
      line += (empty ? "" : " ") + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join("\n");
}

/** A paragraph, wrapped. */
export function paragraph(text: string, width = LINE_WIDTH): string {
  return wrap(text, { first: "", indent: "", width });
}

/** A bulleted list, each item wrapped with a hanging indent. */
export function bullets(items: readonly string[], width = LINE_WIDTH): string {
  return items.map((item) => wrap(item, { first: "- ", indent: "  ", width })).join("\n");
}

/** Column alignment of a table. */
export type Align = "left" | "right";

/** A table with padded columns (`|` inside cells is escaped). */
export function table(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  align: readonly Align[] = [],
): string {
  const cells = [header, ...rows].map((r) => r.map((c) => String(c).replaceAll("|", "\\|")));
  const widths = header.map((_, c) => Math.max(3, ...cells.map((r) => r[c].length)));
  const pad = (text: string, c: number) =>
    align[c] === "right" ? text.padStart(widths[c]) : text.padEnd(widths[c]);
  const line = (r: string[]) => `| ${r.map(pad).join(" | ")} |`;
  const rule = widths.map((
    w,
    c,
  ) => (align[c] === "right" ? `${"-".repeat(w - 1)}:` : "-".repeat(w)));
  return [line(cells[0]), `| ${rule.join(" | ")} |`, ...cells.slice(1).map(line)].join("\n");
}
