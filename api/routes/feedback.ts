/**
 * `POST /feedback`: the lender reports what happened to a scored application
 * (defaulted or repaid). Idempotent per request id: repeating the same
 * outcome is harmless; a different outcome for the same id is refused (409)
 * and the first one kept, so the audit trail never changes silently. A
 * scoring key reports on its own predictions only (another client's request
 * ids are unknown to it); an admin key on any client's. `observed_at` is
 * compared as an instant: not before the scoring, and not later than the
 * service's clock plus {@link MAX_CLOCK_SKEW_MS}.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../http/env.ts";
import { KEY_REQUIRED, KEYED_RESPONSES, RETRY_AFTER } from "../http/openapi.ts";
import { ProblemError, problemResponses } from "../http/problem.ts";
import type { OutcomeInput, RecordResult } from "../store/mod.ts";
import { validationHook } from "../http/validation_hook.ts";

/** Dependencies of {@link feedbackRoutes}. */
export interface FeedbackDeps {
  record(input: OutcomeInput, now: Date): Promise<RecordResult>;
  now?: () => Date;
}

/** Longest accepted request id (the API issues ids far shorter). */
const MAX_ID_LENGTH = 300;

/** How far in the future (by the service's clock) `observed_at` may be: clocks differ a little. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const FeedbackRequest = z.object({
  request_id: z.string().min(1).max(MAX_ID_LENGTH).openapi({
    description: "The request_id of a logged prediction (a batch item's own id).",
    example: "5b0e7c0e-3f3a-4d5e-9d4c-3f0a1b2c3d4e",
  }),
  outcome: z.enum(["default", "repaid"]),
  observed_at: z.iso.datetime({ offset: true }).openapi({
    description: "When the outcome was observed (ISO 8601 with a time zone).",
    example: "2026-11-23T12:00:00Z",
  }),
}).strict().openapi("FeedbackRequest");

const FeedbackResponse = z.object({
  request_id: z.string(),
  outcome: z.enum(["default", "repaid"]),
  observed_at: z.string().openapi({ description: "Normalised to UTC." }),
  recorded_at: z.string(),
  status: z.enum(["recorded", "unchanged"]).openapi({
    description:
      "recorded: stored now (201). unchanged: the same outcome was already stored (200).",
  }),
}).openapi("FeedbackResponse");

const route = createRoute({
  method: "post",
  path: "/feedback",
  operationId: "recordFeedback",
  security: KEY_REQUIRED,
  tags: ["feedback"],
  summary: "Report the outcome of a scored application",
  request: {
    body: { required: true, content: { "application/json": { schema: FeedbackRequest } } },
  },
  responses: {
    201: {
      description: "Outcome recorded.",
      content: { "application/json": { schema: FeedbackResponse } },
    },
    200: {
      description: "The same outcome was already recorded (idempotent repeat).",
      content: { "application/json": { schema: FeedbackResponse } },
    },
    ...problemResponses({
      400: "Malformed JSON.",
      404: "No prediction of this client has this request_id (an admin key: of any client).",
      409: "A different outcome is already recorded for this request_id (or, for an admin, " +
        "several clients used it).",
      422: "Invalid field, or observed before the application was scored, or in the future " +
        "(more than 5 minutes past the service's clock).",
      413: "Body larger than MAX_BODY_BYTES.",
      415: "Content-Type is not application/json.",
      503: {
        description: "The database did not take the write (locked, read-only or full); retry " +
          "later.",
        headers: RETRY_AFTER,
      },
    }),
    ...KEYED_RESPONSES,
  },
});

/** Builds the feedback route. */
export function feedbackRoutes(deps: FeedbackDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const now = deps.now ?? (() => new Date());
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const observed = new Date(body.observed_at);
    const observedAt = observed.toISOString();
    const at = now();
    // Past this check observed_at is a 4-digit-year instant (or before year 0), so the store's
    // comparison of normalised ISO texts with the scoring time is a comparison of instants.
    if (observed.getTime() > at.getTime() + MAX_CLOCK_SKEW_MS) {
      throw new ProblemError(
        422,
        "validation",
        `observed_at ${observedAt} is in the future: the service's clock says ` +
          `${at.toISOString()}, and at most ${MAX_CLOCK_SKEW_MS / 60_000} minutes of clock ` +
          "skew are allowed; report an outcome once it has been observed",
        { errors: [{ pointer: "/observed_at", detail: "must not be in the future" }] },
      );
    }
    const identity = c.get("identity");
    // Admins may report on any client's prediction; everyone else on their own.
    const clientId = identity?.scope === "admin" ? undefined : identity?.id ?? "";
    let result: RecordResult;
    try {
      result = await deps.record({ ...body, observed_at: observedAt, client_id: clientId }, at);
    } catch (err) {
      throw new ProblemError(
        503,
        "log-unavailable",
        "the outcome could not be written to the database (locked, read-only or full); retry later",
        { headers: { "retry-after": "5" }, cause: err },
      );
    }
    switch (result.status) {
      case "recorded":
      case "unchanged": {
        const { client_id: _client, ...record } = result.record;
        return c.json(
          { ...record, status: result.status },
          result.status === "recorded" ? 201 : 200,
        );
      }
      case "ambiguous":
        throw new ProblemError(
          409,
          "conflict",
          `${result.clients} clients used request_id ${JSON.stringify(body.request_id)}: ` +
            "report this outcome with the key of the client that scored it",
        );
      case "unknown_request":
        throw new ProblemError(
          404,
          "not-found",
          `no prediction with request_id ${JSON.stringify(body.request_id)}; batch items use ` +
            "their own ids (<X-Request-Id>:<row index>)",
        );
      case "before_prediction":
        throw new ProblemError(
          422,
          "validation",
          `observed_at ${observedAt} is before the application was scored (${result.predicted_at})`,
          { errors: [{ pointer: "/observed_at", detail: "must not be before the prediction" }] },
        );
      case "conflict":
        throw new ProblemError(
          409,
          "conflict",
          `outcome "${result.record.outcome}" observed at ${result.record.observed_at} is already ` +
            "recorded for this request_id; outcomes are not overwritten",
        );
    }
  });
  return app;
}
