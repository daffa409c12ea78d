/**
 * `deno task drift`: compares recent logged predictions with the reference
 * sample, writes the JSON report and prints a summary. Flags and exit codes:
 * see {@link DRIFT_USAGE} (`deno task drift --help`). All the logic lives in
 * the modules it calls; this file only wires I/O, messages and exit codes.
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { UsageError } from "./lib/flags.ts";
import { DRIFT_USAGE, parseDriftArgs } from "./drift_args.ts";
import { createProgress } from "./lib/progress.ts";
import { computeDrift, loadDriftReference, openStoreForReading } from "../monitoring/run_drift.ts";
import { loadVersionReference } from "../monitoring/run_version.ts";
import { readModelMeta } from "../api/scoring/model_meta.ts";
import { formatDriftSummary } from "../monitoring/summary_table.ts";
import { reachesLevel } from "../monitoring/verdict.ts";
import { operationalAlerts } from "../monitoring/operational.ts";
import type { DriftHistorySummary } from "../monitoring/drift_history.ts";
import type { DriftReport } from "../monitoring/drift_report.ts";
import { describeTarget, openStore, type Store } from "../api/store/mod.ts";
import { notifyAlerts, type NotifyResult } from "../api/monitor/notifier.ts";
import { createWebhookSender, webhookPermission } from "../api/monitor/webhook.ts";
import type { DriftCliOptions } from "./drift_args.ts";

/**
 * `--notify`: records the report's alerts (and the operational ones of the
 * last hour) in the alert state shared with the service and sends what is
 * due. The service's scheduler and this command claim each message in the
 * database, so run either or both: nobody hears an alert twice.
 */
async function notify(
  store: Store,
  report: DriftReport,
  options: { url: string; format: "json" | "slack" },
  modelVersion: string,
): Promise<NotifyResult> {
  const permission = await webhookPermission(options.url);
  if (permission !== "granted") throw new Error(permission);
  const now = new Date();
  const previous = await store.monitor.history.latest();
  const summary: DriftHistorySummary | null = previous ? JSON.parse(previous.summary_json) : null;
  const versions = Object.entries(summary?.model_versions ?? {}).sort((a, b) => b[1] - a[1]);
  const requests = await store.requests.totalsByRoute({
    fromMinute: Math.floor(now.getTime() / 60_000) - 60,
  });
  const alerts = [
    ...report.alerts,
    ...operationalAlerts({ requests, modelVersion, previousModelVersion: versions[0]?.[0] }),
  ];
  return notifyAlerts(store.monitor, alerts, {
    now,
    channel: {
      sender: createWebhookSender({
        url: options.url,
        format: options.format,
        record: (d) => store.monitor.deliveries.record(d),
        sender: "cron",
      }),
      format: options.format,
      context: { modelVersion },
    },
  });
}

/** Opens the store: read-only, or writable for --notify (alert state, deliveries). */
function openForRun(options: DriftCliOptions): Promise<Store> {
  return options.notify ? openStore(options.dbPath) : openStoreForReading(options.dbPath);
}

/** The reference: the artifacts' own, checked to be `--model-version`'s when given. */
async function reference(options: DriftCliOptions) {
  const source = {
    artifactsDir: options.artifactsDir,
    referencePath: options.referencePath ?? undefined,
    bins: options.bins,
  };
  if (options.modelVersion === undefined) return loadDriftReference(source);
  const meta = await readModelMeta(options.artifactsDir);
  const referencePath = options.referencePath ?? join(options.artifactsDir, meta.reference.file);
  return loadVersionReference(options.modelVersion, { meta, referencePath }, options.bins);
}

/** Exit codes of `deno task drift`. */
export const EXIT = { ok: 0, error: 1, usage: 2, verdict: 3 } as const;

/** Runs the task with these arguments; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseDriftArgs(args, (name) => Deno.env.get(name));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`drift: ${err.message} (see --help)`);
    return EXIT.usage;
  }
  if (options.help) {
    console.log(DRIFT_USAGE);
    return EXIT.ok;
  }
  try {
    const where = describeTarget(options.dbPath);
    if (options.notify) await openStoreForReading(options.dbPath).then((s) => s.close());
    const store = await openForRun(options);
    let report;
    let notified: NotifyResult | undefined;
    try {
      const total = await store.predictions.count(options.query);
      if (total === 0) {
        throw new Error(
          await store.predictions.count() === 0
            ? `${where}: no predictions logged yet`
            : options.modelVersion === undefined
            ? `${where}: no predictions in the selected window`
            : `${where}: model ${options.modelVersion} scored no rows in the selected window`,
        );
      }
      const { meta, profile } = await reference(options);
      const progress = createProgress({ label: "drift", total });
      report = await computeDrift(store, profile, {
        meta,
        query: options.query,
        minRows: options.minRows,
        chunk: options.chunk,
        onProgress: (rows) => progress.update(rows),
      });
      progress.stop();
      if (options.notify) {
        notified = await notify(store, report, options.notify, meta.model_version);
      }
    } finally {
      await store.close();
    }
    await mkdir(dirname(options.outPath), { recursive: true });
    await writeFile(options.outPath, JSON.stringify(report, null, 2) + "\n");
    console.log(formatDriftSummary(report));
    console.log(`\nreport written to ${options.outPath}`);
    if (notified) {
      console.log(
        `notify: ${notified.firing.length} new, ${notified.resolved.length} resolved; ` +
          `${notified.sent} messages sent, ${notified.failed} failed`,
      );
    }
    if (options.failOn !== undefined && reachesLevel(report.overall_verdict, options.failOn)) {
      console.error(
        `drift: overall verdict ${report.overall_verdict} reaches --fail-on ${options.failOn}`,
      );
      return EXIT.verdict;
    }
    return EXIT.ok;
  } catch (err) {
    console.error(`drift: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
