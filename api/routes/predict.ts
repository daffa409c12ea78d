/**
 * `POST /predict` and `POST /predict_batch`.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Predictor } from "../predictor.ts";
import { KEY_REQUIRED, KEYED_RESPONSES, RETRY_AFTER } from "../http/openapi.ts";
import { problemResponses } from "../http/problem.ts";
import type { Schemas } from "../http/schemas.ts";
import type { AppEnv } from "../http/env.ts";
import { validationHook } from "../http/validation_hook.ts";

/** Dependencies of {@link predictRoutes}. */
export interface PredictRouteDeps {
  schemas: Schemas;
  predictor: Predictor;
}

const errorResponses = {
  ...problemResponses({
    400: "Malformed JSON.",
    409: "This client already used the X-Request-Id: nothing was scored or logged.",
    413: "Body larger than MAX_BODY_BYTES, or more rows than MAX_BATCH_ROWS.",
    415: "Content-Type is not application/json.",
    422: "Invalid features or query: unknown or missing names, wrong types, unknown levels. " +
      "`errors` lists each field (and row for batches).",
    503: {
      description: "The audit log could not be written: nothing was scored.",
      headers: RETRY_AFTER,
    },
  }),
  ...KEYED_RESPONSES,
};

const ExplainQuery = z.object({
  explain: z.enum(["0", "1", "true", "false"]).optional().openapi({
    description: "1/true: return and log reason codes (same as `explain: true` in the body).",
  }),
});

function wantsExplanation(body: boolean | undefined, query: string | undefined): boolean {
  return body === true || query === "1" || query === "true";
}

/** Builds the scoring routes. */
export function predictRoutes({ schemas, predictor }: PredictRouteDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  const predict = createRoute({
    method: "post",
    path: "/predict",
    operationId: "predict",
    security: KEY_REQUIRED,
    summary: "Score one application",
    description: "Scores one applicant, logs the decision durably, then answers. " +
      "An incoming X-Request-Id (letters, digits, _ - =, ≤ 255 chars) is used and echoed.",
    tags: ["scoring"],
    request: {
      query: ExplainQuery,
      body: {
        required: true,
        content: { "application/json": { schema: schemas.PredictRequest } },
      },
    },
    responses: {
      200: {
        description: "The prediction, logged.",
        content: { "application/json": { schema: schemas.Prediction } },
      },
      ...errorResponses,
    },
  });

  const predictBatch = createRoute({
    method: "post",
    path: "/predict_batch",
    operationId: "predictBatch",
    security: KEY_REQUIRED,
    summary: "Score a batch of applications",
    description: "Scores all rows in one model run and logs them in one transaction. " +
      "Item request ids are `<X-Request-Id>:<row index>`.",
    tags: ["scoring"],
    request: {
      query: ExplainQuery,
      body: {
        required: true,
        content: { "application/json": { schema: schemas.PredictBatchRequest } },
      },
    },
    responses: {
      200: {
        description: "One prediction per row, in request order, all logged.",
        content: { "application/json": { schema: schemas.PredictBatchResponse } },
      },
      ...errorResponses,
    },
  });

  app.openapi(predict, async (c) => {
    const { features, explain } = c.req.valid("json");
    const requestId = c.get("requestId");
    const [item] = await predictor.predict([features], {
      requestIds: [requestId],
      clientId: c.get("identity")?.id ?? "",
      startedAt: c.get("startedAt"),
      explain: wantsExplanation(explain, c.req.valid("query").explain),
    });
    return c.json(item, 200);
  });

  app.openapi(predictBatch, async (c) => {
    const { rows, explain } = c.req.valid("json");
    const requestId = c.get("requestId");
    const items = await predictor.predict(rows, {
      requestIds: rows.map((_, i) => `${requestId}:${i}`),
      clientId: c.get("identity")?.id ?? "",
      startedAt: c.get("startedAt"),
      explain: wantsExplanation(explain, c.req.valid("query").explain),
    });
    return c.json({ n_rows: items.length, items }, 200);
  });

  return app;
}
