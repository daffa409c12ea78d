/**
 * Reads what `scripts/docker_recipe.sh` must reproduce from the Dockerfile
 * itself — the runtime environment (`ENV`), the start command (`CMD`) and
 * the health check (`HEALTHCHECK ... CMD`) — so that the Docker-free recipe
 * runs with the image's settings rather than a copy of them that could drift.
 *
 * Covers the subset of Dockerfile syntax this repository uses: one stage,
 * `\` line continuations, comment lines, `ENV KEY=VALUE ...` (values bare or
 * double-quoted) and the legacy `ENV KEY value`, exec-form (JSON) `CMD`.
 * Hand-written: the npm Dockerfile parsers (e.g. `dockerfile-ast`) would be a
 * new dependency for these few lines.
 *
 * CLI: `deno run --allow-read=Dockerfile scripts/delivery/dockerfile_facts.ts
 * Dockerfile (env|cmd|healthcheck) [--map FROM=TO ...]` prints `KEY=VALUE`
 * lines (paths under FROM rewritten to TO), or the command, one argument a line.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** The runtime facts of a Dockerfile. */
export interface DockerfileFacts {
  /** Final value of each `ENV` variable. */
  env: Record<string, string>;
  /** Exec-form `CMD`, or null. */
  cmd: string[] | null;
  /** Exec-form command of `HEALTHCHECK ... CMD [...]`, or null. */
  healthcheck: string[] | null;
}

/** Instructions as [KEYWORD, rest], continuation lines joined, comments dropped. */
export function instructions(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let current = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && current === "")) continue;
    const continued = line.endsWith("\\");
    current += (current ? " " : "") + (continued ? line.slice(0, -1).trim() : line);
    if (continued) continue;
    const match = /^(\S+)\s*(.*)$/s.exec(current);
    if (match) out.push([match[1].toUpperCase(), match[2]]);
    current = "";
  }
  return out;
}

/** `KEY=VALUE` pairs of an ENV instruction (double-quoted values may hold spaces). */
export function envPairs(rest: string): Array<[string, string]> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest)) {
    const [key, ...value] = rest.split(/\s+/);
    return [[key, value.join(" ")]];
  }
  const pairs: Array<[string, string]> = [];
  for (const m of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("((?:[^"\\]|\\.)*)"|\S*)/g)) {
    pairs.push([m[1], m[3] !== undefined ? m[3].replace(/\\(.)/g, "$1") : m[2]]);
  }
  return pairs;
}

function execForm(text: string, what: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not in exec form (a JSON array): ${text}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === "string")) {
    throw new Error(`${what} is not a JSON array of strings: ${text}`);
  }
  return parsed;
}

/** Extracts ENV, CMD and HEALTHCHECK from a single-stage Dockerfile. */
export function parseDockerfile(text: string): DockerfileFacts {
  const facts: DockerfileFacts = { env: {}, cmd: null, healthcheck: null };
  const steps = instructions(text);
  if (steps.filter(([k]) => k === "FROM").length > 1) {
    throw new Error("multi-stage Dockerfiles are not supported");
  }
  for (const [keyword, rest] of steps) {
    if (keyword === "ENV") {
      for (const [key, value] of envPairs(rest)) facts.env[key] = value;
    } else if (keyword === "CMD") {
      facts.cmd = execForm(rest, "CMD");
    } else if (keyword === "HEALTHCHECK") {
      const cmd = /(?:^|\s)CMD\s+(.*)$/s.exec(rest);
      facts.healthcheck = cmd ? execForm(cmd[1], "HEALTHCHECK CMD") : null;
    }
  }
  return facts;
}

/**
 * Rewrites a value that is a path under one of `maps`' FROM prefixes (the
 * prefix itself or `FROM/...`) to the TO prefix; other values unchanged.
 */
export function mapPath(value: string, maps: ReadonlyArray<[string, string]>): string {
  for (const [from, to] of maps) {
    if (value === from || value.startsWith(`${from}/`)) return to + value.slice(from.length);
  }
  return value;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { map: { type: "string", multiple: true, default: [] } },
  });
  const [file, what] = positionals;
  const maps = values.map.map((m): [string, string] => {
    const at = m.indexOf("=");
    if (at <= 0) throw new Error(`--map ${m}: expected FROM=TO`);
    return [m.slice(0, at), m.slice(at + 1)];
  });
  const facts = parseDockerfile(await Deno.readTextFile(file));
  if (what === "env") {
    for (const [key, value] of Object.entries(facts.env)) {
      console.log(`${key}=${mapPath(value, maps)}`);
    }
  } else if (what === "cmd" || what === "healthcheck") {
    const argv = facts[what] ?? [];
    if (argv.some((a) => a.includes("\n"))) throw new Error(`${what}: an argument holds a newline`);
    for (const arg of argv) console.log(arg);
  } else {
    console.error("usage: dockerfile_facts.ts DOCKERFILE (env|cmd|healthcheck) [--map FROM=TO]");
    Deno.exit(2);
  }
}
