/**
 * Where a benchmark ran: cores, CPU model, Deno/V8 versions, load average
 * and the git commit. Load average and CPU model come from `node:os`
 * (`--allow-sys=loadavg,cpus`; Deno refuses `/proc` reads without
 * `--allow-all`), the commit from `.git` files (no `--allow-run=git`);
 * anything unreadable is null.
 *
 * @module
 */
import os from "node:os";
import { join } from "node:path";

/** The machine and code a benchmark ran on. */
export interface MachineInfo {
  cores: number;
  cpuModel: string | null;
  deno: string;
  v8: string;
  /** 1, 5 and 15 minute load averages (Linux), when readable. */
  loadAverage: [number, number, number] | null;
  /** HEAD's commit; the working tree may hold uncommitted changes. */
  gitCommit: string | null;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return null;
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The 1, 5, 15 minute load averages now (rounded to 0.01), when readable. */
export function loadAverage(): [number, number, number] | null {
  try {
    const [a, b, c] = os.loadavg().map(round2);
    return [a, b, c];
  } catch {
    return null;
  }
}

function cpuModel(): string | null {
  try {
    return os.cpus()[0]?.model ?? null;
  } catch {
    return null;
  }
}

/**
 * Resolves `.git/HEAD`'s text to a commit: a detached hash as is, a
 * `ref: refs/heads/x` through `readRef` (loose ref file, else packed-refs).
 */
export function resolveGitHead(
  head: string,
  readRef: (ref: string) => string | null,
  packedRefs: string | null,
): string | null {
  const text = head.trim();
  if (/^[0-9a-f]{40}$/.test(text)) return text;
  const ref = text.match(/^ref: (\S+)$/)?.[1];
  if (!ref) return null;
  const loose = readRef(ref)?.trim();
  if (loose && /^[0-9a-f]{40}$/.test(loose)) return loose;
  const packed = packedRefs?.split("\n").find((l) => l.endsWith(` ${ref}`));
  return packed?.slice(0, 40) ?? null;
}

/** Reads the machine info; `root` is the repository (for `.git`). */
export async function machineInfo(root = "."): Promise<MachineInfo> {
  const head = await readText(join(root, ".git", "HEAD"));
  let gitCommit: string | null = null;
  if (head) {
    const refs = new Map<string, string | null>();
    const ref = head.trim().match(/^ref: (\S+)$/)?.[1];
    if (ref) refs.set(ref, await readText(join(root, ".git", ref)));
    gitCommit = resolveGitHead(
      head,
      (r) => refs.get(r) ?? null,
      await readText(join(root, ".git", "packed-refs")),
    );
  }
  return {
    cores: navigator.hardwareConcurrency,
    cpuModel: cpuModel(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    loadAverage: loadAverage(),
    gitCommit,
  };
}
