/**
 * A table of reason codes: the features that pushed an application's score
 * towards default, largest first, with the applicant's value, the sentence
 * from the model metadata and the TreeSHAP contribution (log-odds). Every
 * value is rendered as text (Preact escapes it).
 *
 * @module
 */
import type { JSX } from "preact";
import type { ReasonCode } from "../../api/scoring/reason_codes.ts";

/** `+0.421` (log-odds). */
export function formatContribution(c: number): string {
  return `${c > 0 ? "+" : ""}${c.toFixed(3)}`;
}

/** The reasons, or a sentence when nothing pushes towards default. */
export function ReasonTable({ reasons }: { reasons: readonly ReasonCode[] }): JSX.Element {
  if (reasons.length === 0) {
    return (
      <p class="muted" data-testid="no-reasons">
        No feature pushes this application towards default: every contribution is zero or lowers the
        risk.
      </p>
    );
  }
  return (
    <div class="table-wrap">
      <table data-testid="reasons">
        <thead>
          <tr>
            <th>Feature</th>
            <th>Value</th>
            <th>Reason</th>
            <th class="num" title="TreeSHAP contribution to the log-odds of default">
              Contribution (log-odds)
            </th>
          </tr>
        </thead>
        <tbody>
          {reasons.map((r) => (
            <tr key={r.feature} data-reason={r.feature}>
              <td>{r.feature}</td>
              <td>
                {r.value === null
                  ? <span class="muted">missing</span>
                  : <code>{String(r.value)}</code>}
              </td>
              <td>{r.reason}</td>
              <td class="num">{formatContribution(r.contribution)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
