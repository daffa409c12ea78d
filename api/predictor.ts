/**
 * The one scoring path: validated features → model → durable audit row →
 * result. Used by the API routes and the site's scoring form alike.
 *
 * @module
 */
import type { Features, FeatureValue } from "./scoring/feature_vector.ts";
import type { ScoringModel } from "./scoring/model.ts";
import type { ModelSource } from "./scoring/model_set.ts";
import {
  decide,
  type Decision,
  type DecisionLabel,
  decisionLabel,
  type ModelMeta,
} from "./scoring/model_meta.ts";
import type { ReasonCode } from "./scoring/reason_codes.ts";
import {
  type PredictionRecord,
  type ShadowRecord,
  type Store,
  StoreWriteError,
} from "./store/mod.ts";
import { ProblemError } from "./http/problem.ts";

/** Rows of one request by decision. */
export interface Decisions {
  approve: number;
  reject: number;
}

const countDecisions = (rows: readonly { decision: Decision }[]): Decisions => {
  let reject = 0;
  for (const r of rows) reject += r.decision;
  return { approve: rows.length - reject, reject };
};

/** What a caller gets back for one row. */
export interface PredictionResult {
  request_id: string;
  proba_default: number;
  threshold: number;
  /** 1 = predicted default (reject), 0 = approve: the seed's contract. */
  decision: Decision;
  /** The decision in words, for people. */
  decision_label: DecisionLabel;
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
  /** Who is scoring: the API key's id ('' in open mode); request ids are unique per client. */
  clientId: string;
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
  /**
   * The serving models, read once per request: the champion answers (its
   * explainer gives the reasons, or says why there are none); every shadow
   * scores the same rows, logged beside them and never answered.
   */
  models: ModelSource;
  store: Pick<Store, "append">;
  /** Wall clock for `ts_utc` (tests pin it). */
  now?: () => Date;
  /** Told about every scoring request: scored (with its decisions) or failed, and by which champion. */
  onScored?: (ok: boolean, decisions: Decisions | undefined, champion: ModelMeta) => void;
  /** Told about every request's rows a shadow scored (logged with the answer). */
  onShadowScored?: (shadow: ModelMeta, decisions: Decisions) => void;
  /** Told when a shadow fails to score (the answer goes out without its shadow rows). */
  onShadowError?: (shadow: ModelMeta, error: unknown) => void;
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

/**
 * Creates the predictor. A failed log write becomes a 503 problem (never a
 * 200 without a row); a request id the client already used becomes a 409
 * problem (nothing is logged twice).
 */
export function createPredictor(deps: PredictorDeps): Predictor {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  /** A shadow's rows; a failing shadow costs its rows, never the answer. */
  async function shadowScores(
    shadow: ScoringModel,
    canonical: readonly Features[],
    explain: boolean,
  ): Promise<ShadowRecord[]> {
    try {
      const { threshold, model_version } = shadow.meta;
      const probas = await shadow.scoreRows(canonical);
      const reasons = explain && shadow.explainer.unavailable === null
        ? (await shadow.explainer.explainRows(canonical)).map((e) => JSON.stringify(e.reasons))
        : null;
      return Array.from(probas, (p, row) => ({
        row,
        model_version,
        proba_default: p,
        threshold,
        decision: decide(p, threshold),
        reasons_json: reasons?.[row] ?? null,
      }));
    } catch (err) {
      deps.onShadowError?.(shadow.meta, err);
      return [];
    }
  }

  return {
    async predict(rows, { requestIds, clientId, startedAt, explain }) {
      const { champion, shadows } = deps.models();
      const names = champion.meta.features.map((f) => f.name);
      const { threshold, model_version } = champion.meta;
      const canonical = rows.map((r) => canonicalFeatures(names, r));
      // The shadows score the same rows meanwhile (their own coalesced runs).
      const shadowRows = Promise.all(shadows.map((s) => shadowScores(s, canonical, !!explain)));
      let probas: Float64Array;
      try {
        probas = await champion.scoreRows(canonical);
      } catch (err) {
        deps.onScored?.(false, undefined, champion.meta);
        await shadowRows;
        throw err;
      }
      const explainer = champion.explainer;
      const unavailable = explain ? explainer.unavailable : null;
      const reasons = explain && unavailable === null
        ? (await explainer.explainRows(canonical)).map((e) => e.reasons)
        : undefined;
      const ts = now().toISOString();
      const scoredMs = elapsed(startedAt);
      const records: PredictionRecord[] = canonical.map((features, i) => ({
        ts_utc: ts,
        client_id: clientId,
        request_id: requestIds[i],
        model_version,
        proba_default: probas[i],
        threshold,
        decision: decide(probas[i], threshold),
        latency_ms: scoredMs,
        input_json: JSON.stringify(features),
        reasons_json: reasons ? JSON.stringify(reasons[i]) : null,
      }));
      const scoredByShadow = await shadowRows;
      let result;
      try {
        result = await store.append({ rows: records, shadows: scoredByShadow.flat() });
      } catch (err) {
        if (!(err instanceof StoreWriteError)) throw err;
        throw new ProblemError(
          503,
          "log-unavailable",
          "the prediction could not be written to the audit log, so it was not made; retry later",
          { headers: { "retry-after": "5" }, cause: err },
        );
      }
      if (result === "duplicate") {
        const ids = requestIds.length === 1 ? JSON.stringify(requestIds[0]) : "of this batch";
        throw new ProblemError(
          409,
          "duplicate-request-id",
          `this client already used the request id ${ids}: that request was scored and ` +
            "logged before; send a new X-Request-Id for a new application (nothing was logged " +
            "for this one)",
        );
      }
      const latency = elapsed(startedAt);
      deps.onScored?.(true, countDecisions(records), champion.meta);
      if (deps.onShadowScored) {
        shadows.forEach((s, i) => {
          if (scoredByShadow[i].length) {
            deps.onShadowScored!(s.meta, countDecisions(scoredByShadow[i]));
          }
        });
      }
      return records.map((r, i) => ({
        request_id: r.request_id,
        proba_default: r.proba_default,
        threshold: r.threshold,
        decision: r.decision,
        decision_label: decisionLabel(r.decision),
        model_version: r.model_version,
        latency_ms: latency,
        ...(reasons ? { reasons: reasons[i] } : {}),
        ...(unavailable !== null ? { reasons_unavailable: unavailable } : {}),
      }));
    },
  };
}
