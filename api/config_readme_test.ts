import assert from "node:assert/strict";
import { configTable } from "../scripts/config_table.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

/** Table rows with their cells trimmed (deno fmt re-pads markdown tables). */
function rows(markdown: string): string[] {
  return markdown.split("\n")
    .filter((l) => l.startsWith("|") && !/^\|\s*-/.test(l))
    .map((l) => l.split("|").map((c) => c.trim()).join("|"));
}

Deno.test("the README's configuration table lists every variable with its default", () => {
  const expected = rows(configTable());
  const actual = rows(readme);
  for (const row of expected) assert.ok(actual.includes(row), `README lacks: ${row}`);
});

Deno.test("every `deno task` the README mentions exists in deno.json", async () => {
  const tasks = Object.keys(JSON.parse(await Deno.readTextFile("deno.json")).tasks);
  // A task name, optionally `group:name`; a colon followed by a space ends the name.
  const mentioned = new Set(
    [...readme.matchAll(/deno(?:@[\d.]+)? task ([a-z][\w-]*(?::[\w-]+)?)/g)].map((m) => m[1]),
  );
  assert.ok(mentioned.size >= 8);
  for (const task of mentioned) assert.ok(tasks.includes(task), `deno task ${task} does not exist`);
});
