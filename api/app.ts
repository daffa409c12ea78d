/**
 * The app factory: builds the whole HTTP application from its dependencies
 * (configuration, loaded model, open store), so tests build the real app
 * in-process on a temp database.
 *
 * @module
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { randomBytes } from "node:crypto";
import { createKeyRing, type KeyRing } from "./auth/api_keys.ts";
import { createSessionCodec, type SessionCodec } from "./auth/session.ts";
import { createSite, serveFavicon, type SiteDeps } from "../site/mod.ts";
import type { AppEnv } from "./app_env.ts";
import type { Config } from "./config.ts";
import { notFound, onError } from "./error_handler.ts";
import {
  createRequestStats,
  type RequestStats,
  requestStats,
} from "./middleware/request_stats/index.ts";
import { requireKey } from "./middleware/auth/index.ts";
import { bodySizeLimit } from "./middleware/body_limit/index.ts";
import { deadline } from "./middleware/deadline/index.ts";
import { concurrencyCap } from "./middleware/concurrency_cap/index.ts";
import { perClientRateLimit } from "./middleware/rate_limit/index.ts";
import { cachedPerformanceGauges } from "./metrics/performance_gauges.ts";
import { createMetrics, type Metrics } from "./metrics/registry.ts";
import { createPredictor, type Predictor } from "./predictor.ts";
import { createRequestIdGenerator } from "./request_id.ts";
import { ProblemError } from "./problem.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { feedbackRoutes } from "./routes/feedback.ts";
import { predictRoutes } from "./routes/predict.ts";
import { buildSchemas } from "./schemas.ts";
import type { ScoringModel } from "./scoring/model.ts";
import { createExplainer, type Explainer } from "./scoring/reason_codes.ts";
import type { Store } from "./store/mod.ts";
import { createOutcomeRecorder } from "./store/outcomes.ts";

/** The configuration the app reads; limits and keys default to a local, open setup. */
export type AppConfig =
  & Pick<Config, "strictInput" | "maxBatchRows" | "maxBodyBytes">
  & Partial<
    Pick<
      Config,
      | "requestTimeoutMs"
      | "maxConcurrentRequests"
      | "rateLimitPerMinute"
      | "trustProxy"
      | "apiKeys"
      | "adminKeys"
      | "sessionSecret"
    >
  >;

/** Dependencies of {@link createApp}. */
export interface AppDeps {
  config: AppConfig;
  model: ScoringModel;
  store: Store;
  /** Wall clock (tests pin it). */
  now?: () => Date;
  /** Operator-facing warnings shown on /health. */
  warnings?: readonly string[];
  /**
   * Request statistics recorder; pass one to `close()` it before the store
   * closes (flushes the last counters). Default: one on `store.db`.
   */
  requestStats?: RequestStats;
  /**
   * Prometheus metrics; pass the one whose hooks the model and store report
   * to (see main.ts). Default: one fed by this app's requests only.
   */
  metrics?: Metrics;
  /** Monitoring site options (reference sample, report file, polling). */
  site?: Omit<
    SiteDeps,
    | "meta"
    | "store"
    | "predictor"
    | "requestStats"
    | "now"
    | "ring"
    | "sessions"
    | "openModeWarning"
    | "explainer"
  >;
}

/** The app and what its owner must close on shutdown. */
export type App = OpenAPIHono<AppEnv> & {
  /** Stops the app's timers (rate-limit sweeps); call on shutdown. */
  dispose(): void;
};

/** The message of open mode, at start-up and on /health. */
export const OPEN_MODE_WARNING = "no API_KEYS or ADMIN_KEYS are set: every endpoint, the site " +
  "and the audit log are open to anyone who can reach this port";

/** What the app is made of, built once from its dependencies. */
interface AppParts {
  ring: KeyRing;
  sessions: SessionCodec;
  metrics: Metrics;
  explainer: Explainer;
  predictor: Predictor;
  stats: RequestStats;
}

function buildParts(deps: AppDeps): AppParts {
  const { config, model, store } = deps;
  const metrics = deps.metrics ?? createMetrics({
    model: { type: model.meta.model_type, version: model.meta.model_version },
    queueDepth: () => store.queueDepth,
    performance: cachedPerformanceGauges(store.db, model.meta),
  });
  const explainer = createExplainer(model);
  const now = deps.now;
  return {
    ring: createKeyRing({ scoring: config.apiKeys ?? [], admin: config.adminKeys ?? [] }),
    // Without SESSION_SECRET, a random secret: a restart logs everyone out.
    sessions: createSessionCodec({
      secret: config.sessionSecret
        ? new TextEncoder().encode(config.sessionSecret)
        : randomBytes(32),
    }),
    metrics,
    explainer,
    predictor: createPredictor({
      model,
      store,
      explainer,
      now,
      onScored: (ok, decisions) => metrics.scored(ok, decisions),
    }),
    stats: deps.requestStats ??
      createRequestStats(store.db, { now: now && (() => now().getTime()) }),
  };
}

/**
 * The middleware every request passes, in order: statistics, request id,
 * method check, load shedding, deadline, body size; then keys and rate limit
 * on the protected routes. Returns what must be disposed on shutdown.
 */
function useMiddleware(app: OpenAPIHono<AppEnv>, config: AppConfig, parts: AppParts) {
  const { ring, metrics, stats } = parts;
  const timeoutMs = config.requestTimeoutMs ?? 10_000;
  const rateLimit = config.rateLimitPerMinute
    ? perClientRateLimit({ perMinute: config.rateLimitPerMinute, trustProxy: config.trustProxy })
    : undefined;
  const requestDeadline = deadline({
    timeoutMs,
    onTimeout: () =>
      new ProblemError(
        504,
        "timeout",
        `the request took longer than ${timeoutMs} ms (REQUEST_TIMEOUT_MS); it may still have ` +
          "been logged: retry with the same X-Request-Id to find it",
      ),
  });

  app.use(requestStats({
    record(sample) {
      stats.record(sample);
      metrics.record(sample);
    },
  }));
  app.use(async (c, next) => {
    c.set("startedAt", performance.now());
    await next();
  });
  app.use(requestId({ generator: createRequestIdGenerator() }));
  app.use(methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) => {
      throw new ProblemError(
        405,
        "method-not-allowed",
        `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(", ")}`,
        { headers: { allow: methods.join(", ") } },
      );
    },
  }));
  app.use(concurrencyCap({ max: config.maxConcurrentRequests ?? 256 }).middleware);
  app.use(requestDeadline.middleware);
  app.use(bodySizeLimit({ maxBytes: config.maxBodyBytes }));
  const scoringAuth = requireKey({ ring, scope: "scoring" });
  for (const path of ["/predict", "/predict_batch", "/feedback"]) {
    app.use(path, scoringAuth);
    if (rateLimit) app.use(path, rateLimit.middleware);
  }
  app.use("/metrics", requireKey({ ring, scope: "admin" }));
  return {
    dispose() {
      rateLimit?.close();
      requestDeadline.dispose();
    },
  };
}

/** Mounts every route: health, scoring, feedback, docs, metrics and the site. */
function mountRoutes(app: OpenAPIHono<AppEnv>, deps: AppDeps, parts: AppParts): void {
  const { config, model, store } = deps;
  app.route(
    "/",
    healthRoutes({
      meta: model.meta,
      checkWritable: () => store.checkWritable(),
      startedAt: new Date(),
      strictInput: config.strictInput,
      warnings: [...(parts.ring.open ? [OPEN_MODE_WARNING] : []), ...(deps.warnings ?? [])],
    }),
  );
  const schemas = buildSchemas(model.meta, {
    strict: config.strictInput,
    maxBatchRows: config.maxBatchRows,
  });
  app.route("/", predictRoutes({ schemas, predictor: parts.predictor }));
  app.route("/", feedbackRoutes({ record: createOutcomeRecorder(store.db), now: deps.now }));
  app.route("/", docsRoutes());
  app.route("/", metricsRoutes(parts.metrics));
  app.route(
    "/monitor",
    createSite({
      ...deps.site,
      meta: model.meta,
      store,
      predictor: parts.predictor,
      explainer: parts.explainer,
      requestStats: parts.stats,
      now: deps.now,
      ring: parts.ring,
      sessions: parts.sessions,
      openModeWarning: OPEN_MODE_WARNING,
    }),
  );
  app.get("/favicon.ico", serveFavicon);
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Scorewatch credit-scoring API",
      version: model.meta.model_version,
      description: "Scores loan applications with the bundled gradient-boosted model and logs " +
        "every decision to an audit log before answering. Errors are RFC 9457 problem documents.",
    },
  });
}

/** Builds the application. */
export function createApp(deps: AppDeps): App {
  const parts = buildParts(deps);
  const app = new OpenAPIHono<AppEnv>() as App;
  const middleware = useMiddleware(app, deps.config, parts);
  mountRoutes(app, deps, parts);
  app.onError(onError);
  app.notFound(notFound);
  app.dispose = middleware.dispose;
  return app;
}
