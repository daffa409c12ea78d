/**
 * Sections of the drift page beyond the latest report's per-feature view:
 * the multivariate check, input data quality, drift per time chunk and over
 * time (heatmaps: one row per feature, one column per chunk or scheduled
 * report, coloured by verdict, PSI in the cell — readable without
 * JavaScript), and the alerts with their webhook deliveries.
 *
 * @module
 */
import type { JSX } from "preact";
import type { AlertDelivery, AlertStateRow, StoredHistoryEntry } from "../../api/store/mod.ts";
import type { DriftHistorySummary } from "../../monitoring/drift_history.ts";
import type { DriftReport } from "../../monitoring/drift_report.ts";
import DriftHistoryIsland from "../islands/drift_history.tsx";
import { formatCount, formatShare, formatTime, NONE } from "../shared/format.ts";
import type { TimeChartSpec } from "../shared/types.ts";
import { VerdictBadge } from "./badges.tsx";
import { Island } from "./island.tsx";

const num = (x: number | null | undefined, d = 3) =>
  x === null || x === undefined ? NONE : x.toFixed(d);

/** Most columns a heatmap shows (the most recent). */
export const MAX_HEAT_COLUMNS = 48;

/** The multivariate (domain classifier) section. */
export function MultivariateSection({ report }: { report: DriftReport }): JSX.Element | null {
  const m = report.multivariate;
  if (!m) return null;
  return (
    <section data-testid="multivariate">
      <h2>
        Relationships between features <VerdictBadge verdict={m.verdict} />
      </h2>
      <p>
        A domain classifier tells reference rows from production rows on the features' joint
        structure (each feature's own distribution standardised away): cross-validated AUC{" "}
        <strong>{num(m.auc)}</strong>
        {m.noise_floor && (
          <>
            {" "}against {num(m.noise_floor.mean)} ± {num(m.noise_floor.sd)}{" "}
            with shuffled labels (alerts from {num(Math.max(m.noise_floor.threshold, m.min_auc))})
          </>
        )}. {formatCount(m.n_production)} distinct production rows
        {m.sampled ? ` (a random sample of ${formatCount(m.n_window)})` : ""}, {formatCount(
          m.n_reference,
        )} reference rows, {m.columns} columns.
      </p>
      {m.top_pairs.length > 0 && (
        <div class="table-wrap">
          <table data-testid="multivariate-pairs">
            <thead>
              <tr>
                <th>Feature pair</th>
                <th class="num">Correlation (ref → prod)</th>
                <th class="num">z</th>
              </tr>
            </thead>
            <tbody>
              {m.top_pairs.map((p) => (
                <tr key={`${p.a}|${p.b}`}>
                  <td>
                    {p.a} × {p.b}
                  </td>
                  <td class="num">
                    {num(p.corr_ref, 2)} → {num(p.corr_prod, 2)}
                  </td>
                  <td class="num">{num(p.z, 1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** Features with any data-quality finding. */
export function DataQualitySection({ report }: { report: DriftReport }): JSX.Element | null {
  const q = report.data_quality;
  if (!q) return null;
  const rows = Object.entries(q.features).filter(([, f]) =>
    f.out_of_range + f.wrong_type + f.unseen_level > 0
  );
  return (
    <section data-testid="data-quality">
      <h2>Input data quality</h2>
      {rows.length === 0
        ? (
          <p class="muted">
            No value far outside the training range ({q.range_factor}{" "}
            × the range beyond its edges), of the wrong type, or of an unseen level.
          </p>
        )
        : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Feature</th>
                  <th class="num">Out of range</th>
                  <th class="num">Wrong type</th>
                  <th class="num">Unseen level</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(([name, f]) => (
                  <tr key={name}>
                    <td>{name}</td>
                    <td class="num">{formatShare(f.out_of_range_share)}</td>
                    <td class="num">{formatShare(f.wrong_type_share)}</td>
                    <td class="num">{formatShare(f.unseen_level_share)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}

interface HeatColumn {
  /** ISO start (chunk) or generation time (history). */
  at: string;
  n: number;
  psi: Record<string, number | null>;
  verdicts: Record<string, string>;
  score: { psi: number | null; verdict: string };
  rejectRate: number | null;
  multivariate?: { auc: number | null; verdict: string | null };
}

function Heatmap(
  { id, features, columns, label }: {
    id: string;
    features: string[];
    columns: HeatColumn[];
    label: (at: string) => string;
  },
): JSX.Element {
  const hasMv = columns.some((c) => c.multivariate);
  return (
    <div class="table-wrap">
      <table class="heatmap" data-testid={id}>
        <thead>
          <tr>
            <th>PSI</th>
            {columns.map((c) => (
              <th key={c.at} class="time" title={formatTime(c.at)}>{label(c.at)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {features.map((f) => (
            <tr key={f} data-feature={f}>
              <th>{f}</th>
              {columns.map((c) => (
                <td key={c.at} class={`heat verdict-${c.verdicts[f] ?? "insufficient_data"}`}>
                  {num(c.psi[f], 2)}
                </td>
              ))}
            </tr>
          ))}
          <tr data-feature="proba_default">
            <th>proba_default</th>
            {columns.map((c) => (
              <td key={c.at} class={`heat verdict-${c.score.verdict}`}>{num(c.score.psi, 2)}</td>
            ))}
          </tr>
          {hasMv && (
            <tr data-feature="multivariate">
              <th>multivariate (AUC)</th>
              {columns.map((c) => (
                <td
                  key={c.at}
                  class={`heat verdict-${c.multivariate?.verdict ?? "insufficient_data"}`}
                >
                  {num(c.multivariate?.auc, 2)}
                </td>
              ))}
            </tr>
          )}
          <tr>
            <th>reject rate</th>
            {columns.map((c) => <td key={c.at} class="heat">{formatShare(c.rejectRate, 0)}</td>)}
          </tr>
          <tr>
            <th>rows</th>
            {columns.map((c) => <td key={c.at} class="heat">{formatCount(c.n)}</td>)}
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function timeSpec(id: string, title: string, columns: HeatColumn[]): TimeChartSpec {
  return {
    id,
    title,
    unit: "proba",
    x: columns.map((c) => Date.parse(c.at) / 1000),
    series: [
      { label: "score PSI", values: columns.map((c) => c.score.psi), color: "#0969da" },
      { label: "reject rate", values: columns.map((c) => c.rejectRate), color: "#cf222e" },
      ...(columns.some((c) => c.multivariate)
        ? [{
          label: "multivariate AUC",
          values: columns.map((c) => c.multivariate?.auc ?? null),
          color: "#8250df",
        }]
        : []),
    ],
  };
}

const hourLabel = (at: string) => at.slice(11, 13);
const dayLabel = (at: string) => at.slice(5, 10);

/** Per time chunk of the latest report's window, as NannyML shows chunked results. */
export function ChunkSection({ report }: { report: DriftReport }): JSX.Element | null {
  const chunks = report.chunks;
  if (!chunks || chunks.rows.length === 0) return null;
  const columns: HeatColumn[] = chunks.rows.slice(-MAX_HEAT_COLUMNS).map((c) => ({
    at: c.start,
    n: c.n,
    psi: c.psi,
    verdicts: c.verdicts,
    score: { psi: c.score_psi, verdict: c.score_verdict },
    rejectRate: c.reject_rate,
  }));
  return (
    <section>
      <h2>Per {chunks.size} of this window</h2>
      <p class="muted small">
        PSI of each {chunks.size} against the reference; colour = verdict with that{" "}
        {chunks.size}'s own noise floor (fewer than {chunks.min_rows}{" "}
        rows: grey). Column = start ({chunks.size === "hour" ? "hour, UTC" : "month-day"}).
      </p>
      <Heatmap
        id="chunk-heatmap"
        features={Object.keys(report.features)}
        columns={columns}
        label={chunks.size === "hour" ? hourLabel : dayLabel}
      />
      <Island
        name="drift_history"
        component={DriftHistoryIsland}
        props={{
          spec: timeSpec("chunk-chart", `Score PSI and reject rate per ${chunks.size}`, columns),
        }}
      />
    </section>
  );
}

/** Drift over time: one column per scheduled report. */
export function HistorySection(
  { history, features }: { history: StoredHistoryEntry[]; features: string[] },
): JSX.Element {
  const columns: HeatColumn[] = history.slice(-MAX_HEAT_COLUMNS).flatMap((h) => {
    let s: DriftHistorySummary;
    try {
      s = JSON.parse(h.summary_json);
    } catch {
      return [];
    }
    return [{
      at: h.generated_at,
      n: h.n_rows,
      psi: s.psi,
      verdicts: s.verdicts,
      score: { psi: s.score_psi, verdict: s.score_verdict },
      rejectRate: s.reject_rate,
      multivariate: { auc: s.multivariate_auc, verdict: s.multivariate_verdict },
    }];
  });
  return (
    <section>
      <h2>Drift over time</h2>
      {columns.length === 0
        ? (
          <p class="muted" data-testid="no-history">
            No scheduled report yet: the service computes one every DRIFT_INTERVAL_MINUTES once
            enough predictions are logged.
          </p>
        )
        : (
          <>
            <p class="muted small">
              One column per scheduled report (its window: the last DRIFT_WINDOW_HOURS), most recent
              right; column = generation time (day hour, UTC).
            </p>
            <Heatmap
              id="history-heatmap"
              features={features}
              columns={columns}
              label={(at) => `${at.slice(8, 10)} ${at.slice(11, 13)}h`}
            />
            <Island
              name="drift_history"
              component={DriftHistoryIsland}
              props={{
                spec: timeSpec(
                  "history-chart",
                  "Score PSI, reject rate, multivariate AUC per report",
                  columns,
                ),
              }}
            />
          </>
        )}
    </section>
  );
}

/** Active alerts and the most recent webhook deliveries. */
export function AlertsSection(
  { alerts, deliveries, webhook }: {
    alerts: AlertStateRow[];
    deliveries: (AlertDelivery & { id: number })[];
    webhook: boolean;
  },
): JSX.Element {
  const active = alerts.filter((a) => a.resolved_at === null);
  return (
    <section>
      <h2>Alerts and notifications</h2>
      <p class="muted small">
        {webhook
          ? "Alerts are sent to the webhook (ALERT_WEBHOOK_URL) when they appear and when they clear."
          : "No webhook configured (ALERT_WEBHOOK_URL): alerts are kept here only."}
      </p>
      {active.length === 0
        ? <p data-testid="no-active-alerts">No active alert.</p>
        : (
          <ul class="alerts" data-testid="active-alerts">
            {active.map((a) => (
              <li key={a.alert_key} class="alert level-warning">
                <VerdictBadge verdict={a.severity} /> <strong>{a.alert_key}</strong> — {a.message}
                {" "}
                <span class="muted small">
                  since {formatTime(a.first_seen)}
                  {a.fired_sent_at ? `, sent ${formatTime(a.fired_sent_at)}` : ", not sent"}
                </span>
              </li>
            ))}
          </ul>
        )}
      {deliveries.length > 0 && (
        <div class="table-wrap">
          <table data-testid="deliveries">
            <thead>
              <tr>
                <th>Time</th>
                <th>Alert</th>
                <th>Event</th>
                <th>To</th>
                <th class="num">Attempt</th>
                <th>Result</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id}>
                  <td>{formatTime(d.ts_utc)}</td>
                  <td>{d.alert_key}</td>
                  <td>{d.event}</td>
                  <td>{d.target}</td>
                  <td class="num">{d.attempt}</td>
                  <td class={d.ok ? "" : "flag"}>{d.ok ? `${d.status}` : d.error ?? "failed"}</td>
                  <td>{d.sender}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
