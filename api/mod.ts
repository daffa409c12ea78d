/**
 * The HTTP API: `createApi` builds the Hono app of the scoring service (health,
 * scoring, feedback, docs, metrics, the model admin API) from parts the composition root
 * (`main.ts`) made, so tests build the real API in-process on a temp database.
 * It never builds those parts itself, and never imports the site.
 *
 * @module
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { KeyRing } from "./auth/api_keys.ts";
import type { Config } from "./config.ts";
import type { AppEnv } from "./http/env.ts";
import { notFound, onError } from "./http/error_handler.ts";
import { finishDocument, PUBLIC } from "./http/openapi.ts";
import { ProblemError } from "./http/problem.ts";
import { newRequestId } from "./http/request_id.ts";
import { buildSchemas } from "./http/schemas.ts";
import type { Metrics } from "./metrics/registry.ts";
import { requireKey } from "./middleware/auth.ts";
import type { AuthThrottle } from "./middleware/auth_throttle.ts";
import { bodySizeLimit } from "./middleware/body_limit.ts";
import { concurrencyCap } from "./middleware/concurrency_cap.ts";
import { deadline } from "./middleware/deadline.ts";
import { perClientRateLimit } from "./middleware/rate_limit.ts";
import { frontDoor } from "./middleware/front_door.ts";
import type { RequestStats } from "./middleware/request_stats.ts";
import type { Predictor } from "./predictor.ts";
import { docsRoutes } from "./routes/docs.ts";
import { feedbackRoutes } from "./routes/feedback.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { predictRoutes } from "./routes/predict.ts";
import type { ScoringModel } from "./scoring/model.ts";
import { type ModelSource, singleModel } from "./scoring/model_set.ts";
import type { ModelAdmin } from "./model_admin.ts";
import { modelRoutes } from "./routes/models.ts";
import type { Store } from "./store/mod.ts";

/** The configuration the API reads. */
export type ApiConfig = Pick<
  Config,
  | "strictInput"
  | "maxBatchRows"
  | "maxBodyBytes"
  | "requestTimeoutMs"
  | "maxConcurrentRequests"
  | "rateLimitPerMinute"
  | "trustProxy"
>;

/** What {@link createApi} is built from (made once by the composition root). */
export interface ApiDeps {
  config: ApiConfig;
  /** The champion at start-up: its features define the request schemas. */
  model: ScoringModel;
  /** The serving models (champion and shadows), read per request; default `model` alone. */
  models?: ModelSource;
  /** The model lifecycle's admin API (`/models`); absent: no such routes. */
  admin?: ModelAdmin;
  /** Warnings that come and go (the lifecycle's), on /health after the fixed ones. */
  liveWarnings?: () => readonly string[];
  store: Store;
  /** The one scoring path (shared with the site's scoring form). */
  predictor: Predictor;
  ring: KeyRing;
  metrics: Metrics;
  requestStats: Pick<RequestStats, "record">;
  /** Operator-facing warnings shown on /health (open mode, fallback database). */
  warnings: readonly string[];
  /** Throttles and logs failed authentication per client (shared with the site's login). */
  authThrottle?: AuthThrottle;
  /** CSP `frame-ancestors` of the docs pages (see `http/frame_ancestors.ts`). Default `'self'`. */
  frameAncestors?: readonly string[];
  /** Wall clock (tests pin it). */
  now?: () => Date;
}

/** The API app and what its owner must stop on shutdown. */
export type Api = OpenAPIHono<AppEnv> & {
  /** Stops the app's timers (rate-limit sweeps, deadlines); call on shutdown. */
  dispose(): void;
  /** The OpenAPI document served at `/openapi.json` (for tools and the contract tests). */
  openApiDocument(): Record<string, unknown>;
};

/** The routes whose answers carry applicants' data, behind the scoring keys. */
export const SCORING_PATHS = ["/predict", "/predict_batch", "/feedback"] as const;

/**
 * The middleware every request passes: the front door (statistics, request
 * id, response headers: nosniff, HEAD lengths, no-store on the scoring
 * routes; and its guards, in order: method check, load shedding, deadline,
 * body size); then keys (failures throttled per client) and rate limit on
 * the protected routes. Returns what must be disposed on shutdown.
 */
function useMiddleware(app: OpenAPIHono<AppEnv>, deps: ApiDeps) {
  const { config, ring, metrics, requestStats: stats } = deps;
  const timeoutMs = config.requestTimeoutMs;
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

  app.use(frontDoor({
    stats: {
      record(sample) {
        stats.record(sample);
        metrics.record(sample);
      },
    },
    newRequestId,
    // All their answers, refusals (405, 503, 413, 401 …) included.
    noStorePaths: SCORING_PATHS,
    guards: [
      methodNotAllowed({
        app,
        onMethodNotAllowed: (c, methods) => {
          throw new ProblemError(
            405,
            "method-not-allowed",
            `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(", ")}`,
            { headers: { allow: methods.join(", ") } },
          );
        },
      }),
      concurrencyCap({ max: config.maxConcurrentRequests }).middleware,
      requestDeadline.middleware,
      bodySizeLimit({ maxBytes: config.maxBodyBytes }),
    ],
    onError,
  }));
  // Keys are checked on the routes' own methods only: another method is a 405 for anyone.
  const throttle = deps.authThrottle;
  const scoringAuth = requireKey({ ring, scope: "scoring", throttle });
  for (const path of SCORING_PATHS) {
    app.on("POST", path, scoringAuth);
    if (rateLimit) app.on("POST", path, rateLimit.middleware);
  }
  const adminAuth = requireKey({ ring, scope: "admin", throttle });
  app.on("GET", "/metrics", adminAuth);
  if (deps.admin) {
    app.on("GET", "/models", adminAuth);
    app.on("POST", ["/models/reload", "/models/rollback", "/models/:version/promote"], adminAuth);
    app.on(["PUT", "DELETE"], "/models/:version/shadow", adminAuth);
  }
  return {
    dispose() {
      rateLimit?.close();
      requestDeadline.dispose();
    },
  };
}

/** Mounts every API route: health, scoring, feedback, docs, metrics, models (with an admin). */
function mountRoutes(app: OpenAPIHono<AppEnv>, deps: ApiDeps): void {
  const { config, model, store } = deps;
  app.route(
    "/",
    healthRoutes({
      models: deps.models ?? singleModel(model),
      liveWarnings: deps.liveWarnings,
      checkWritable: () => store.checkWritable(),
      startedAt: deps.now?.() ?? new Date(),
      now: deps.now && (() => deps.now!().getTime()),
      strictInput: config.strictInput,
      warnings: deps.warnings,
    }),
  );
  const schemas = buildSchemas(model.meta, {
    strict: config.strictInput,
    maxBatchRows: config.maxBatchRows,
  });
  app.route("/", predictRoutes({ schemas, predictor: deps.predictor }));
  app.route("/", feedbackRoutes({ record: store.outcomes.record, now: deps.now }));
  app.route("/", docsRoutes({ frameAncestors: deps.frameAncestors }));
  app.route("/", metricsRoutes(deps.metrics));
  if (deps.admin) app.route("/", modelRoutes({ admin: deps.admin }));
}

/** Operations whose handlers await I/O (the store), so they can run past REQUEST_TIMEOUT_MS. */
const MAY_TIME_OUT = new Set([
  "predict",
  "predictBatch",
  "recordFeedback",
  "getHealth",
  "getReadiness",
  "getMetrics",
  "listModels",
  "reloadModels",
  "promoteModel",
  "rollbackModel",
  "enableShadow",
  "disableShadow",
]);

/**
 * `GET /openapi.json`: the document the routes describe, completed with what
 * every route shares (`http/openapi.ts`); built once, on first request, when
 * every route is registered.
 */
function serveDocument(app: OpenAPIHono<AppEnv>, deps: ApiDeps): () => Record<string, unknown> {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/openapi.json",
    operationId: "getOpenApiDocument",
    security: PUBLIC,
    tags: ["operations"],
    summary: "This OpenAPI 3.1 document",
    responses: {
      200: {
        description: "The document (it follows the model and the input mode of this deployment).",
        content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
      },
    },
  });
  let document: Record<string, unknown> | undefined;
  const build = () =>
    document ??= finishDocument(
      app.getOpenAPI31Document({
        openapi: "3.1.0",
        info: {
          title: "Scorewatch credit-scoring API",
          version: deps.model.meta.model_version,
          description: "Scores loan applications with the bundled gradient-boosted model and " +
            "logs every decision to an audit log before answering. Errors are RFC 9457 problem " +
            "documents. With keys configured, scoring and feedback need a key (API_KEYS or " +
            "ADMIN_KEYS), /metrics and /models an admin key; the rest is public.",
        },
      }),
      { open: deps.ring.open, mayTimeOut: MAY_TIME_OUT },
    );
  app.get("/openapi.json", (c) => c.json(build()));
  return build;
}

/** Builds the API. */
export function createApi(deps: ApiDeps): Api {
  const app = new OpenAPIHono<AppEnv>() as Api;
  const middleware = useMiddleware(app, deps);
  mountRoutes(app, deps);
  app.openApiDocument = serveDocument(app, deps);
  app.onError(onError);
  app.notFound(notFound);
  app.dispose = middleware.dispose;
  return app;
}
