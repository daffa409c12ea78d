/**
 * The service process's own resource use: resident memory (`Deno.memoryUsage()`)
 * and CPU share (`process.cpuUsage()` between two samples). Shared by the
 * /metrics gauges and the monitoring site's overview, so both compute it the
 * same way. (prom-client's default process metrics read `/proc` through Node
 * APIs that report zeros under Deno, hence these.)
 *
 * @module
 */
import process from "node:process";

/** CPU time used by the process so far, microseconds. */
export interface CpuTime {
  user: number;
  system: number;
}

/** Options for {@link createCpuSampler}. */
export interface CpuSamplerOptions {
  /** Reads the process's CPU time. Default `process.cpuUsage()`. */
  read?: () => CpuTime;
  /** Monotonic clock, ms. Default `performance.now()`. */
  clock?: () => number;
  /**
   * A sample taken sooner than this after the previous one returns the
   * previous value (several pollers must not shrink the interval to nothing).
   * Default 0.
   */
  minIntervalMs?: number;
}

/**
 * Returns a sampler of the CPU share used since its previous sample (the
 * first sample: since the sampler was created), in % of one core, rounded to
 * 0.1. Several cores can make it exceed 100.
 */
export function createCpuSampler(options: CpuSamplerOptions = {}): () => number {
  const read = options.read ?? (() => process.cpuUsage());
  const clock = options.clock ?? (() => performance.now());
  const minIntervalMs = options.minIntervalMs ?? 0;
  let last = { cpu: read(), at: clock() };
  let value = 0;
  return () => {
    const at = clock();
    if (at - last.at < minIntervalMs) return value;
    const cpu = read();
    const usedUs = cpu.user - last.cpu.user + cpu.system - last.cpu.system;
    const wallUs = (at - last.at) * 1000;
    value = wallUs > 0 ? Math.round((usedUs / wallUs) * 1000) / 10 : 0;
    last = { cpu, at };
    return value;
  };
}

/** A snapshot of the process's resource use. */
export interface ProcessUsage {
  /** Resident set size, bytes. */
  rssBytes: number;
  /** V8 heap in use, bytes. */
  heapUsedBytes: number;
  /** CPU share since the previous snapshot, % of one core. */
  cpuPercent: number;
}

/** Options for {@link createProcessSampler}. */
export interface ProcessSamplerOptions extends CpuSamplerOptions {
  /** Reads memory use. Default `Deno.memoryUsage()`. */
  memory?: () => { rss: number; heapUsed: number };
}

/** Returns a sampler of {@link ProcessUsage} (CPU share since its previous call). */
export function createProcessSampler(options: ProcessSamplerOptions = {}): () => ProcessUsage {
  const cpu = createCpuSampler(options);
  const memory = options.memory ?? (() => Deno.memoryUsage());
  return () => {
    const { rss, heapUsed } = memory();
    return { rssBytes: rss, heapUsedBytes: heapUsed, cpuPercent: cpu() };
  };
}
