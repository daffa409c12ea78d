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
import { createSite, serveFavicon, type SiteDeps } from "../site/mod.ts";
import type { AppEnv } from "./app_env.ts";
import type { Config } from "./config.ts";
import { notFound, onError } from "./error_handler.ts";
import {
  createRequestStats,
  type RequestStats,
  requestStats,
} from "./middleware/request_stats/index.ts";
import { bodySizeLimit } from "./middleware/body_limit/index.ts";
import { createPredictor } from "./predictor.ts";
import { createRequestIdGenerator } from "./request_id.ts";
import { ProblemError } from "./problem.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { predictRoutes } from "./routes/predict.ts";
import { buildSchemas } from "./schemas.ts";
import type { ScoringModel } from "./scoring/model.ts";
import type { Store } from "./store/mod.ts";

/** Dependencies of {@link createApp}. */
export interface AppDeps {
  config: Pick<Config, "strictInput" | "maxBatchRows" | "maxBodyBytes">;
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
  /** Monitoring site options (reference sample, report file, polling). */
  site?: Omit<SiteDeps, "meta" | "store" | "predictor" | "requestStats" | "now">;
}

/** Builds the application. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { config, model, store } = deps;
  const app = new OpenAPIHono<AppEnv>();
  const schemas = buildSchemas(model.meta, {
    strict: config.strictInput,
    maxBatchRows: config.maxBatchRows,
  });
  const predictor = createPredictor({ model, store, now: deps.now });
  const now = deps.now;
  const stats = deps.requestStats ??
    createRequestStats(store.db, { now: now && (() => now().getTime()) });

  app.use(requestStats(stats));
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
  app.use("/predict", bodySizeLimit({ maxBytes: config.maxBodyBytes }));
  app.use("/predict_batch", bodySizeLimit({ maxBytes: config.maxBodyBytes }));

  app.route(
    "/",
    healthRoutes({
      meta: model.meta,
      checkWritable: () => store.checkWritable(),
      startedAt: new Date(),
      strictInput: config.strictInput,
      warnings: deps.warnings ?? [],
    }),
  );
  app.route("/", predictRoutes({ schemas, predictor }));
  app.route("/", docsRoutes());
  app.route(
    "/monitor",
    createSite({ ...deps.site, meta: model.meta, store, predictor, requestStats: stats, now }),
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

  app.onError(onError);
  app.notFound(notFound);
  return app;
}
