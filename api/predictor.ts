/**
 * The one scoring path: validated features → model → durable audit row →
 * result. Used by the API routes and the site's scoring form alike.
 *
 * @module
 */
import type { Features, FeatureValue } from "./scoring/feature_vector.ts";
import { type ScoringModel } from "./scoring/model.ts";
import type { PredictionRecord, Store } from "./store/mod.ts";
import { StoreWriteError } from "./store/mod.ts";
import { ProblemError } from "./http/problem.ts";
import type { Explainer, ReasonCode } from "./scoring/reason_codes.ts";
import { decide, type Decision } from "./scoring/model_meta.ts";

/** What a caller gets back for one row. */
export interface PredictionResult {
  request_id: string;
  proba_default: number;
  threshold: number;
  decision: Decision;
  model_version: string;
  latency_ms: number;
  /** Reason codes, when an explanation was asked for. */
  reasons?: ReasonCode[];
  /** When an explanation was asked for and the model gives none: why. */
  reasons_unavailable?: string;
}

/** Options for one {@link Predictor.predict} call. */
export interface PredictOptions {
  /** One request id per row. */
  requestIds: readonly string[];
  /** `performance.now()` when the request arrived (latency is measured from it). */
  startedAt: number;
  /** Compute, return and log reason codes (the model's explainer). */
  explain?: boolean;
}

/** Scores and logs rows. */
export interface Predictor {
  predict(rows: readonly Features[], options: PredictOptions): Promise<PredictionResult[]>;
}

/** Dependencies of {@link createPredictor}. */
export interface PredictorDeps {
  model: ScoringModel;
  store: Pick<Store, "append">;
  /**
   * Reason codes; without one, `explain` requests are answered without
   * reasons. A model without reasons (`unavailable`) answers why instead.
   */
  explainer?: Pick<Explainer, "explainRows" | "unavailable">;
  /** Wall clock for `ts_utc` (tests pin it). */
  now?: () => Date;
  /** Told about every scoring request: scored (with its decisions) or failed. */
  onScored?: (ok: boolean, decisions?: { approve: number; reject: number }) => void;
}

/**
 * Rewrites features in model order with every feature present (`null` when
 * missing), the canonical form stored in `input_json`.
 */
export function canonicalFeatures(names: readonly string[], features: Features): Features {
  const out: Record<string, FeatureValue> = {};
  for (const name of names) out[name] = features[name] ?? null;
  return out;
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 1000) / 1000;

/** Creates the predictor. A failed log write becomes a 503 problem: never a 200 without a row. */
export function createPredictor(deps: PredictorDeps): Predictor {
  const { model, store } = deps;
  const now = deps.now ?? (() => new Date());
  const names = model.meta.features.map((f) => f.name);
  const { threshold, model_version } = model.meta;

  return {
    async predict(rows, { requestIds, startedAt, explain }) {
      const canonical = rows.map((r) => canonicalFeatures(names, r));
      let probas: Float64Array;
      try {
        probas = await model.scoreRows(canonical);
      } catch (err) {
        deps.onScored?.(false);
        throw err;
      }
      const unavailable = explain ? deps.explainer?.unavailable ?? null : null;
      const reasons = explain && deps.explainer && unavailable === null
        ? (await deps.explainer.explainRows(canonical)).map((e) => e.reasons)
        : undefined;
      const ts = now().toISOString();
      const scoredMs = elapsed(startedAt);
      const records: PredictionRecord[] = canonical.map((features, i) => ({
        ts_utc: ts,
        request_id: requestIds[i],
        model_version,
        proba_default: probas[i],
        threshold,
        decision: decide(probas[i], threshold),
        latency_ms: scoredMs,
        input_json: JSON.stringify(features),
        reasons_json: reasons ? JSON.stringify(reasons[i]) : null,
      }));
      try {
        await store.append(records);
      } catch (err) {
        if (!(err instanceof StoreWriteError)) throw err;
        throw new ProblemError(
          503,
          "log-unavailable",
          "the prediction could not be written to the audit log, so it was not made; retry later",
          { headers: { "retry-after": "5" }, cause: err },
        );
      }
      const latency = elapsed(startedAt);
      const rejects = records.filter((r) => r.decision === "reject").length;
      deps.onScored?.(true, { approve: records.length - rejects, reject: rejects });
      return records.map((r, i) => ({
        request_id: r.request_id,
        proba_default: r.proba_default,
        threshold: r.threshold,
        decision: r.decision,
        model_version: r.model_version,
        latency_ms: latency,
        ...(reasons ? { reasons: reasons[i] } : {}),
        ...(unavailable !== null ? { reasons_unavailable: unavailable } : {}),
      }));
    },
  };
}
