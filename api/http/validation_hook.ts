/**
 * The zod-openapi hook that turns a failed validation into a problem: the
 * single place where request validation failures are reported.
 *
 * @module
 */
import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "./env.ts";
import { validationProblem } from "./validation_errors.ts";

/** Throws the validation problem (the app's error handler renders it). */
// deno-lint-ignore no-explicit-any -- Hook is generic over every route's input and output types
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (result.success) return;
  // @hono/zod-validator passes the raw input as `data` on failure too; its type omits it.
  const { data, target } = result as { data?: unknown; target?: string };
  throw validationProblem(result.error.issues, data, target === "query" ? "query" : "json");
};
