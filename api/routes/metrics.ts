/**
 * `GET /metrics`: Prometheus text exposition of the service's metrics (admin
 * keys only).
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/env.ts";
import { KEY_REQUIRED, KEYED_RESPONSES } from "../http/openapi.ts";
import { problemResponses } from "../http/problem.ts";
import type { Metrics } from "../metrics/registry.ts";

const route = createRoute({
  method: "get",
  path: "/metrics",
  operationId: "getMetrics",
  security: KEY_REQUIRED,
  tags: ["operations"],
  summary: "Prometheus metrics (admin keys only)",
  responses: {
    200: {
      description: "The metrics, in the Prometheus text format 0.0.4.",
      content: { "text/plain": { schema: z.string() } },
    },
    ...problemResponses({ 403: "A scoring key: /metrics needs an ADMIN_KEYS key." }),
    ...KEYED_RESPONSES,
  },
});

/** Builds the metrics route. */
export function metricsRoutes(
  metrics: Pick<Metrics, "render" | "contentType">,
): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(route, async (c) =>
    c.text(await metrics.render(), 200, {
      "content-type": metrics.contentType,
      "cache-control": "no-store",
    }));
  return app;
}
