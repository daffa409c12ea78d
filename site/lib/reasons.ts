/**
 * Reason codes of a logged prediction for the detail page: the ones stored
 * with the row (`reasons_json`, written when the caller asked for an
 * explanation), or else computed now from the logged features with the
 * explainer of the model in service — only when that model scored the row
 * and the logged input still passes the API's schema.
 *
 * @module
 */
import type { Features } from "../../api/scoring/feature_vector.ts";
import type { ModelMeta } from "../../api/scoring/model_meta.ts";
import type { Explainer, ReasonCode } from "../../api/scoring/reason_codes.ts";
import { buildSchemas } from "../../api/http/schemas.ts";
import type { StoredPrediction } from "../../api/store/mod.ts";

/** The reasons of a row and where they come from, or why there are none. */
export type RowReasons =
  | { source: "stored" | "computed"; reasons: ReasonCode[] }
  | { source: "unavailable"; why: string };

function isReason(x: unknown): x is ReasonCode {
  const r = x as Partial<ReasonCode> | null;
  return typeof r === "object" && r !== null && typeof r.feature === "string" &&
    typeof r.reason === "string" && typeof r.contribution === "number" &&
    Number.isFinite(r.contribution) &&
    (r.value === null || typeof r.value === "number" || typeof r.value === "string");
}

/** The stored reasons, when the column holds a readable list; else null. */
export function parseStoredReasons(json: string | null | undefined): ReasonCode[] | null {
  if (json === null || json === undefined) return null;
  try {
    const parsed = JSON.parse(json);
    return Array.isArray(parsed) && parsed.every(isReason) ? parsed : null;
  } catch {
    return null;
  }
}

/** Returns the reasons reader of the model in service. */
export function createRowReasons(
  meta: ModelMeta,
  explainer: Pick<Explainer, "explainRows" | "unavailable"> | null,
): (
  row: Pick<StoredPrediction, "input_json" | "reasons_json" | "model_version">,
) => Promise<RowReasons> {
  const { Features: schema } = buildSchemas(meta, { strict: true, maxBatchRows: 1 });
  return async (row) => {
    const stored = parseStoredReasons(row.reasons_json);
    if (stored) return { source: "stored", reasons: stored };
    if (explainer === null) {
      return { source: "unavailable", why: "no explainer is configured for this site" };
    }
    if (explainer.unavailable !== null && row.model_version === meta.model_version) {
      return {
        source: "unavailable",
        why: `this model gives no reason codes (${explainer.unavailable})`,
      };
    }
    if (row.model_version !== meta.model_version) {
      return {
        source: "unavailable",
        why: "another model version scored this row, so the model in service cannot explain it",
      };
    }
    let input: unknown;
    try {
      input = JSON.parse(row.input_json);
    } catch {
      input = undefined;
    }
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      return {
        source: "unavailable",
        why: "the logged input does not match the model's features, so it cannot be explained",
      };
    }
    const [explanation] = await explainer.explainRows([parsed.data as Features]);
    return { source: "computed", reasons: explanation.reasons };
  };
}
