/**
 * The app factory: builds the whole HTTP application from its dependencies
 * (configuration, loaded model, open store), so tests build the real app
 * in-process on a temp database.
 *
 * @module
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./app_env.ts";
import type { Config } from "./config.ts";
import { notFound, onError } from "./error_handler.ts";
import { createPredictor } from "./predictor.ts";
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

  app.use(async (c, next) => {
    c.set("startedAt", performance.now());
    await next();
  });
  app.use(requestId());
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
  app.use("/predict", bodyLimit({ maxSize: config.maxBodyBytes }));
  app.use("/predict_batch", bodyLimit({ maxSize: config.maxBodyBytes }));

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
