/**
 * A progress bar on stderr (cli-progress) for long CLI runs, and a no-op
 * stand-in otherwise: nothing is drawn when stderr is not a terminal (logs,
 * CI, tests) or when the run is too short to need one.
 *
 * @module
 */
// cli-progress ships no type declarations: Deno types it as `any`; the
// `Progress` interface below is the only surface the rest of the code sees.
import cliProgress from "cli-progress";

/** A running progress display. */
export interface Progress {
  /** Sets the number of items done. */
  update(done: number): void;
  /** Draws the final state and releases the terminal line. */
  stop(): void;
}

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** Shown before the bar. */
  label: string;
  total: number;
  /** Draw only from this many items. Default 50,000. */
  minTotal?: number;
  /** Override the terminal check (default: `Deno.stderr.isTerminal()`). */
  enabled?: boolean;
}

const NO_PROGRESS: Progress = { update() {}, stop() {} };

/** Starts a progress bar, or returns a no-op one (see the module doc). */
export function createProgress(options: ProgressOptions): Progress {
  const enabled = options.enabled ?? Deno.stderr.isTerminal();
  if (!enabled || options.total < (options.minTotal ?? 50_000)) return NO_PROGRESS;
  const bar = new cliProgress.SingleBar({
    format: `${options.label} [{bar}] {percentage}% | {value}/{total} rows | ETA {eta_formatted}`,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(options.total, 0);
  return {
    update: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
