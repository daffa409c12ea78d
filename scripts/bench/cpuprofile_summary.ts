/**
 * Summarises a V8 CPU profile (the `.cpuprofile` JSON that `deno run
 * --cpu-prof` writes, also read by Chrome DevTools): time per function by
 * self time (samples whose top frame is the function) and inclusive time
 * (samples with the function anywhere on the stack, counted once per sample
 * even when it recurses), and self time per file and per package/area.
 *
 * Hand-written because the summary needed (grouped by file and npm package,
 * as a table in a terminal) is a few dozen lines over the documented format
 * and no maintained library that does it is a dependency.
 *
 * @module
 */

/** A V8 call frame. */
export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
  scriptId?: string;
}

/** A node of the profile's call tree. */
export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

/** The `.cpuprofile` format (times in µs). */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  /** Node id of each sample. */
  samples?: number[];
  /** µs since the previous sample (the first: since `startTime`). */
  timeDeltas?: number[];
}

/** Time attributed to one function (or file, or package). */
export interface CostEntry {
  /** `name (file:line)`, the file, or the package/area. */
  key: string;
  selfMs: number;
  /** % of busy time (all samples except `(idle)`). */
  selfPct: number;
  totalMs: number;
  totalPct: number;
}

/** The summary. */
export interface ProfileSummary {
  /** Profile span, ms (including any skipped start). */
  wallMs: number;
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  idleMs: number;
  /** Native/runtime time outside JS (`(program)`), garbage collection, ms. */
  programMs: number;
  gcMs: number;
  samples: number;
  functions: CostEntry[];
  files: CostEntry[];
  packages: CostEntry[];
}

const SPECIAL = new Set(["(root)", "(program)", "(idle)", "(garbage collector)"]);

/**
 * The package or area of a script URL: `npm:<name>` for node_modules,
 * `deno:<ext>` / `node:<module>` for the runtime's own code, `wasm` for
 * WebAssembly, the directory relative to `root` for project files, and the
 * frame's name for V8's pseudo-frames.
 */
export function packageOf(url: string, root = ""): string {
  if (url === "") return "(v8)";
  const nm = url.match(/node_modules\/(?:\.deno\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//);
  if (nm) return `npm:${nm[1]}`;
  const ext = url.match(/^ext:([^/]+)/);
  if (ext) return `deno:${ext[1]}`;
  if (url.startsWith("node:")) return url.split("/")[0];
  if (url.startsWith("wasm://")) return "wasm";
  const file = shortFile(url, root);
  const slash = file.lastIndexOf("/");
  return slash > 0 ? file.slice(0, slash) : file;
}

/** A script URL shortened for a table: project files relative to `root`, npm files from the package. */
export function shortFile(url: string, root = ""): string {
  if (url === "") return "";
  const nm = url.match(/node_modules\/(?:\.deno\/[^/]+\/node_modules\/)?(.+)$/);
  if (nm) return nm[1];
  if (root && url.startsWith(root)) return url.slice(root.length).replace(/^\//, "");
  return url.replace(/^file:\/\//, "");
}

function frameKey(frame: CallFrame, root: string): string {
  if (SPECIAL.has(frame.functionName) || frame.url === "") {
    return frame.functionName || "(anonymous)";
  }
  const name = frame.functionName || "(anonymous)";
  return `${name} (${shortFile(frame.url, root)}:${frame.lineNumber + 1})`;
}

/**
 * Per-sample durations (µs): the gap to the next sample, the mean gap for the
 * last one; samples taken in the first `skipUs` of the profile are dropped.
 */
function sampleDurations(p: CpuProfile, skipUs: number): { ids: number[]; us: number[] } {
  if (p.samples?.length && p.timeDeltas?.length === p.samples.length) {
    const n = p.samples.length;
    const ids: number[] = [];
    const us: number[] = [];
    const span = p.endTime - p.startTime;
    let at = 0;
    for (let i = 0; i < n; i++) {
      at += p.timeDeltas[i];
      if (at < skipUs) continue;
      ids.push(p.samples[i]);
      us.push(Math.max(0, i < n - 1 ? p.timeDeltas[i + 1] : n > 1 ? span / n : span));
    }
    return { ids, us };
  }
  // No sample list: spread the span over the hit counts.
  const hits = p.nodes.reduce((s, node) => s + (node.hitCount ?? 0), 0);
  const each = hits > 0 ? (p.endTime - p.startTime) / hits : 0;
  const ids: number[] = [];
  const us: number[] = [];
  for (const node of p.nodes) {
    for (let k = 0; k < (node.hitCount ?? 0); k++) {
      ids.push(node.id);
      us.push(each);
    }
  }
  return { ids, us };
}

function ranked(
  self: Map<string, number>,
  total: Map<string, number>,
  busyUs: number,
): CostEntry[] {
  const keys = new Set([...self.keys(), ...total.keys()]);
  const pct = (us: number) => (busyUs > 0 ? (us / busyUs) * 100 : 0);
  return [...keys].map((key) => {
    const s = self.get(key) ?? 0;
    const t = total.get(key) ?? s;
    return { key, selfMs: s / 1000, selfPct: pct(s), totalMs: t / 1000, totalPct: pct(t) };
  }).sort((a, b) => b.selfMs - a.selfMs || b.totalMs - a.totalMs || (a.key < b.key ? -1 : 1));
}

/** Options for {@link summariseCpuProfile}. */
export interface SummariseOptions {
  /** `file://` URL of the project root, stripped from file names. */
  root?: string;
  /**
   * Ignore the samples of the first `skipMs` of the profile (e.g. start-up
   * before the load began). Needs the sample list; default 0.
   */
  skipMs?: number;
}

/** Summarises a profile; entries are sorted by self time, largest first. */
export function summariseCpuProfile(p: CpuProfile, options: SummariseOptions = {}): ProfileSummary {
  const root = options.root ?? "";
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  // Unique function keys on each node's stack (root → node), computed once per node.
  const stackKeys = new Map<number, string[]>();
  const keysOf = (id: number): string[] => {
    const cached = stackKeys.get(id);
    if (cached) return cached;
    const chain: number[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      chain.push(cur);
    }
    const keys = [...new Set(chain.map((n) => frameKey(byId.get(n)!.callFrame, root)))];
    stackKeys.set(id, keys);
    return keys;
  };

  const selfFn = new Map<string, number>();
  const totalFn = new Map<string, number>();
  const selfFile = new Map<string, number>();
  const selfPkg = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  let idleUs = 0;
  let programUs = 0;
  let gcUs = 0;
  let busyUs = 0;
  const { ids, us } = sampleDurations(p, (options.skipMs ?? 0) * 1000);
  ids.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const t = us[i];
    const name = node.callFrame.functionName;
    if (name === "(idle)") {
      idleUs += t;
      return;
    }
    busyUs += t;
    if (name === "(program)") programUs += t;
    if (name === "(garbage collector)") gcUs += t;
    const key = frameKey(node.callFrame, root);
    add(selfFn, key, t);
    add(selfFile, node.callFrame.url ? shortFile(node.callFrame.url, root) : key, t);
    add(selfPkg, node.callFrame.url ? packageOf(node.callFrame.url, root) : key, t);
    for (const k of keysOf(id)) if (k !== "(root)") add(totalFn, k, t);
  });
  const noTotals = new Map<string, number>();
  return {
    wallMs: (p.endTime - p.startTime) / 1000,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    programMs: programUs / 1000,
    gcMs: gcUs / 1000,
    samples: ids.length,
    functions: ranked(selfFn, totalFn, busyUs),
    files: ranked(selfFile, noTotals, busyUs),
    packages: ranked(selfPkg, noTotals, busyUs),
  };
}
