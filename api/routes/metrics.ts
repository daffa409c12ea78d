/**
 * `GET /metrics`: Prometheus text exposition of the service's metrics.
 *
 * @module
 */
import { Hono } from "hono";
import type { AppEnv } from "../http/env.ts";
import type { Metrics } from "../metrics/registry.ts";

/** Builds the metrics route. */
export function metricsRoutes(metrics: Pick<Metrics, "render" | "contentType">): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/metrics", async (c) =>
    c.body(await metrics.render(), 200, {
      "content-type": metrics.contentType,
      "cache-control": "no-store",
    }));
  return app;
}
