/**
 * Health endpoints: `/health` (summary: the champion and its shadows, the
 * warnings), `/health/live` (process up), `/health/ready` (model loaded and
 * audit log writable).
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/env.ts";
import { PUBLIC, RETRY_AFTER } from "../http/openapi.ts";
import { ProblemError, problemResponses } from "../http/problem.ts";
import type { ModelSource } from "../scoring/model_set.ts";

/** Dependencies of {@link healthRoutes}. */
export interface HealthDeps {
  /** The serving models (read per request: a promotion shows at once). */
  models: ModelSource;
  /** Commits a probe write; false when the audit log cannot take writes. */
  checkWritable(): Promise<boolean>;
  startedAt: Date;
  /** Wall clock (tests pin it). Default `Date.now`. */
  now?: () => number;
  strictInput: boolean;
  /** Operator-facing warnings (e.g. non-persistent database, open access). */
  warnings: readonly string[];
  /** Warnings that come and go (model directories skipped, a state naming a missing version). */
  liveWarnings?: () => readonly string[];
}

const HealthSchema = z.object({
  status: z.enum(["ok", "degraded"]).openapi({
    description: "degraded: the audit log is not writable, so /predict answers 503.",
  }),
  model_version: z.string().openapi({ description: "The champion: the version that answers." }),
  threshold: z.number().openapi({ description: "The champion's decision threshold." }),
  shadow_versions: z.array(z.string()).openapi({
    description: "Versions scoring the same rows in the shadow (logged, never answered).",
  }),
  started_at: z.string(),
  uptime_s: z.number(),
  strict_input: z.boolean(),
  database_writable: z.boolean(),
  warnings: z.array(z.string()),
}).openapi("Health");

const ReadySchema = z.object({
  status: z.literal("ready"),
  model_version: z.string(),
}).openapi("Ready");

/** Builds the health routes. */
export function healthRoutes(deps: HealthDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const now = deps.now ?? Date.now;
  const uptime = () => Math.round((now() - deps.startedAt.getTime()) / 100) / 10;

  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      operationId: "getHealth",
      security: PUBLIC,
      tags: ["health"],
      summary: "Service status and model version",
      responses: {
        200: { description: "Status.", content: { "application/json": { schema: HealthSchema } } },
      },
    }),
    async (c) => {
      const writable = await deps.checkWritable();
      const { champion, shadows } = deps.models();
      return c.json({
        status: writable ? "ok" as const : "degraded" as const,
        model_version: champion.meta.model_version,
        threshold: champion.meta.threshold,
        shadow_versions: shadows.map((s) => s.meta.model_version),
        started_at: deps.startedAt.toISOString(),
        uptime_s: uptime(),
        strict_input: deps.strictInput,
        database_writable: writable,
        warnings: [...deps.warnings, ...(deps.liveWarnings?.() ?? [])],
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/health/live",
      operationId: "getLiveness",
      security: PUBLIC,
      tags: ["health"],
      summary: "Liveness: the process answers",
      responses: {
        200: {
          description: "Alive.",
          content: { "application/json": { schema: z.object({ status: z.literal("alive") }) } },
        },
      },
    }),
    (c) => c.json({ status: "alive" as const }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/health/ready",
      operationId: "getReadiness",
      security: PUBLIC,
      tags: ["health"],
      summary: "Readiness: model loaded and audit log writable",
      responses: {
        200: { description: "Ready.", content: { "application/json": { schema: ReadySchema } } },
        ...problemResponses({
          503: {
            description: "Not ready: the audit log does not take writes.",
            headers: RETRY_AFTER,
          },
        }),
      },
    }),
    async (c) => {
      if (!(await deps.checkWritable())) {
        throw new ProblemError(
          503,
          "log-unavailable",
          "not ready: the audit log database does not take writes (read-only, locked or full)",
          { headers: { "retry-after": "5" } },
        );
      }
      return c.json({
        status: "ready" as const,
        model_version: deps.models().champion.meta.model_version,
      }, 200);
    },
  );

  return app;
}
