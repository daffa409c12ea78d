/**
 * The model admin API (admin keys only): `GET /models` (versions, roles,
 * rows scored, the change history), `POST /models/reload` (rescan
 * MODELS_DIR), `POST /models/{version}/promote`, `POST /models/rollback`,
 * `PUT` and `DELETE /models/{version}/shadow`. A change takes an optional
 * JSON body `{"reason": "…"}`, kept in the history with the key's id. Every
 * change answers the listing as it stands after it.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../http/env.ts";
import { KEY_REQUIRED, KEYED_RESPONSES, RETRY_AFTER } from "../http/openapi.ts";
import { ProblemError, problemResponses } from "../http/problem.ts";
import { validationHook } from "../http/validation_hook.ts";
import type { Actor, ModelAdmin } from "../model_admin.ts";

/** Dependencies of {@link modelRoutes}. */
export interface ModelRoutesDeps {
  admin: ModelAdmin;
}

/** Changes listed with `GET /models` and after a change. */
export const LISTED_CHANGES = 50;

const Version = z.object({
  version: z.string().min(1).max(200).openapi({
    param: { name: "version", in: "path" },
    description: "A loaded model version (`model_version` of its metadata).",
    example: "gbdt-a7a8e1cb8bc9",
  }),
});

const ChangeRequest = z.object({
  reason: z.string().max(1000).optional().openapi({
    description: "Why: kept in the change history.",
    example: "challenger agreed on 98% of decisions over two weeks",
  }),
}).strict().openapi("ModelChangeRequest");

const VersionInfo = z.object({
  version: z.string(),
  role: z.enum(["champion", "shadow", "loaded"]),
  model_type: z.string(),
  features: z.array(z.string()),
  threshold: z.number(),
  created_at: z.string().nullable().openapi({
    description: "When it was trained or imported: its metadata's provenance.created_at, else " +
      "when its model_meta.json was written.",
  }),
  rows_scored: z.number().int().openapi({
    description: "Rows scored so far: as champion plus in the shadow.",
  }),
}).openapi("ModelVersion");

const Change = z.object({
  at: z.string(),
  key_id: z.string().openapi({
    description: "The admin key's id ('' in open mode, `sighup` for the service itself).",
  }),
  action: z.enum(["promote", "rollback", "shadow_on", "shadow_off"]),
  from_version: z.string().nullable(),
  to_version: z.string().nullable(),
  reason: z.string(),
}).openapi("ModelChange");

const Listing = z.object({
  champion: z.string().openapi({ description: "The version that answers." }),
  shadows: z.array(z.string()),
  versions: z.array(VersionInfo),
  changes: z.array(Change).openapi({ description: `The latest ${LISTED_CHANGES}, newest first.` }),
}).openapi("Models");

const ReloadResponse = z.object({
  loaded: z.array(z.string()).openapi({ description: "Versions newly loaded." }),
  skipped: z.array(z.object({ dir: z.string(), reason: z.string() })).openapi({
    description: "Directories refused (also warned on /health).",
  }),
}).openapi("ModelReload");

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const ADMIN_ONLY = "A scoring key: the model admin API needs an ADMIN_KEYS key.";
const WRITE_FAILED = {
  description: "The database did not take the change (locked, read-only or full); retry later.",
  headers: RETRY_AFTER,
};
const changeBody = {
  body: {
    required: false,
    content: { "application/json": { schema: ChangeRequest } },
  },
};
const changeResponses = (statuses: Record<number, string>) => ({
  200: json(Listing, "Done (or nothing to do): the models as they stand now."),
  ...problemResponses({
    ...statuses,
    400: "Malformed JSON body.",
    403: ADMIN_ONLY,
    503: WRITE_FAILED,
  }),
  ...KEYED_RESPONSES,
});

const common = { security: KEY_REQUIRED, tags: ["models"] };

const listRoute = createRoute({
  ...common,
  method: "get",
  path: "/models",
  operationId: "listModels",
  summary: "Loaded model versions, their roles and the change history",
  responses: {
    200: json(Listing, "The models."),
    ...problemResponses({ 403: ADMIN_ONLY }),
    ...KEYED_RESPONSES,
  },
});

const reloadRoute = createRoute({
  ...common,
  method: "post",
  path: "/models/reload",
  operationId: "reloadModels",
  summary: "Rescan MODELS_DIR and load new versions (SIGHUP does the same)",
  responses: {
    200: json(ReloadResponse, "What the rescan loaded and refused."),
    ...problemResponses({ 403: ADMIN_ONLY }),
    ...KEYED_RESPONSES,
  },
});

const promoteRoute = createRoute({
  ...common,
  method: "post",
  path: "/models/{version}/promote",
  operationId: "promoteModel",
  summary: "Make a loaded version the champion (the current one stays loaded for a rollback)",
  request: { params: Version, ...changeBody },
  responses: changeResponses({
    404: "No such version is loaded.",
    409: "The version is the champion already.",
    422: "The version cannot read the champion's features (the differences are listed), or an " +
      "invalid body.",
  }),
});

const rollbackRoute = createRoute({
  ...common,
  method: "post",
  path: "/models/rollback",
  operationId: "rollbackModel",
  summary: "Make the previous champion the champion again",
  request: changeBody,
  responses: changeResponses({
    409: "There is no previous champion, or it is not loaded here.",
    422: "Invalid body.",
  }),
});

const shadowOnRoute = createRoute({
  ...common,
  method: "put",
  path: "/models/{version}/shadow",
  operationId: "enableShadow",
  summary: "Score every request with this version too, in the shadow (logged, never answered)",
  request: { params: Version, ...changeBody },
  responses: changeResponses({
    404: "No such version is loaded.",
    409: "The version is the champion.",
    422: "The version cannot read the champion's features (the differences are listed), or an " +
      "invalid body.",
  }),
});

const shadowOffRoute = createRoute({
  ...common,
  method: "delete",
  path: "/models/{version}/shadow",
  operationId: "disableShadow",
  summary: "Stop scoring with this version in the shadow",
  request: { params: Version, ...changeBody },
  responses: changeResponses({
    404: "No such version is loaded (nor shadowing).",
    422: "Invalid body.",
  }),
});

/** A change's actor: the admin key's id ('' in open mode) and the reason given. */
function actorOf(c: Context<AppEnv>, body: { reason?: string } | undefined): Actor {
  return { keyId: c.get("identity")?.id ?? "", reason: body?.reason ?? "" };
}

/** Runs an admin call; a failure that is not the operator's becomes a 503 problem. */
async function admin<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ProblemError) throw err;
    throw new ProblemError(
      503,
      "log-unavailable",
      `the model state could not be read or written (${(err as Error).message}); retry later`,
      { headers: { "retry-after": "5" }, cause: err },
    );
  }
}

/** Builds the model admin routes. */
export function modelRoutes(deps: ModelRoutesDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const models = deps.admin;
  const listing = async () => {
    const [versions, changes] = await Promise.all([models.list(), models.changes(LISTED_CHANGES)]);
    return {
      champion: versions.find((v) => v.role === "champion")?.version ?? "",
      shadows: versions.filter((v) => v.role === "shadow").map((v) => v.version),
      versions: versions.map((v) => ({ ...v, features: [...v.features] })),
      changes,
    };
  };

  app.openapi(listRoute, async (c) => c.json(await admin(listing), 200));
  app.openapi(reloadRoute, async (c) => c.json(await admin(() => models.reload()), 200));
  app.openapi(promoteRoute, async (c) => {
    const { version } = c.req.valid("param");
    const actor = actorOf(c, c.req.valid("json"));
    return c.json(await admin(() => models.promote(version, actor).then(listing)), 200);
  });
  app.openapi(rollbackRoute, async (c) => {
    const actor = actorOf(c, c.req.valid("json"));
    return c.json(await admin(() => models.rollback(actor).then(listing)), 200);
  });
  app.openapi(shadowOnRoute, async (c) => {
    const { version } = c.req.valid("param");
    const actor = actorOf(c, c.req.valid("json"));
    return c.json(await admin(() => models.setShadow(version, true, actor).then(listing)), 200);
  });
  app.openapi(shadowOffRoute, async (c) => {
    const { version } = c.req.valid("param");
    const actor = actorOf(c, c.req.valid("json"));
    return c.json(await admin(() => models.setShadow(version, false, actor).then(listing)), 200);
  });
  return app;
}
