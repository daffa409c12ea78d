/**
 * The contract check: every response is checked against the OpenAPI document
 * the app serves at `/openapi.json` — its status is listed for the route
 * (or `default`), its media type is a documented one, its JSON body matches
 * the documented schema (ajv, JSON Schema 2020-12, the dialect of OpenAPI
 * 3.1), and the headers documented as required are there. The test app
 * (`test_app.ts`) runs it on every response it returns, so every API test is
 * also a contract test and the document cannot drift from the behaviour.
 *
 * Paths the document does not describe are the site (`/monitor`), the docs'
 * assets, the favicon and the `/` redirect; any other undocumented path
 * must answer a 404 problem.
 *
 * @module
 */
import { AssertionError } from "node:assert";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** Paths outside the API document (the site, static files, the docs' assets, the redirect). */
const UNDOCUMENTED = [
  /^\/monitor(\/|$)/,
  /^\/docs\/(assets\/|init\.js$)/,
  /^\/favicon\.ico$/,
  /^\/$/,
];

const DOCUMENT_ID = "urn:scorewatch:openapi";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const JSON_TYPES = /^application\/(.+\+)?json$/;

type Json = Record<string, unknown>;
interface ResponseSpec {
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema?: unknown }>;
}
interface OperationSpec {
  operationId?: string;
  responses: Record<string, ResponseSpec>;
}

/** One checked response: which operation answered which status (for coverage). */
export interface CheckedResponse {
  method: string;
  /** The document's path template, e.g. `/problems/{type}`; null outside the document. */
  path: string | null;
  status: number;
  /** The key of the documented response used: `"200"`, `"4XX"` or `"default"`. */
  documented: string | null;
}

/** Checks responses against one OpenAPI document. */
export interface ContractChecker {
  /** Throws an AssertionError describing every way `res` breaks the contract. */
  check(method: string, url: string, res: Response): Promise<CheckedResponse>;
  /** The operations and statuses the document lists (`GET /health 200`, …), `default` excepted. */
  documented(): string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A pointer into the document for a JSON Schema `$ref`. */
function pointer(...parts: string[]): string {
  return "#/" + parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
}

/** Builds the checker for a served document. */
export function createContractChecker(document: Json): ContractChecker {
  // `strict: false`: the document carries OpenAPI keywords (example, openapi, paths …) around
  // and inside its schemas; they are annotations to JSON Schema, not errors.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats.default(ajv);
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  const validatorAt = (ref: string) => {
    let v = validators.get(ref);
    if (!v) {
      v = ajv.compile({ $ref: `${DOCUMENT_ID}${ref}` });
      validators.set(ref, v);
    }
    return v;
  };

  const paths = document.paths as Record<string, Record<string, OperationSpec>>;
  const templates = Object.keys(paths).map((template) => ({
    template,
    regex: new RegExp(
      "^" + template.split(/\{[^}]+\}/).map(escape).join("[^/]+") + "$",
    ),
  }));
  const problemSchema = pointer("components", "schemas", "Problem");

  const documented = () =>
    Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item).filter(([m]) => METHODS.includes(m)).flatMap(([m, op]) =>
        Object.keys(op.responses).filter((s) => s !== "default").map((s) =>
          `${m.toUpperCase()} ${path} ${s}`
        )
      )
    ).sort();

  async function check(method: string, url: string, res: Response): Promise<CheckedResponse> {
    const path = new URL(url, "http://localhost").pathname;
    const problems: string[] = [];
    const head = method.toUpperCase() === "HEAD";
    const text = head ? "" : await res.clone().text();
    const mediaType = (res.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    const where = `${method.toUpperCase()} ${path} → ${res.status}`;
    const fail = () => {
      if (problems.length) {
        throw new AssertionError({
          message: `contract: ${where} breaks /openapi.json:\n  - ${problems.join("\n  - ")}` +
            (text ? `\n  body: ${text.length > 500 ? `${text.slice(0, 500)}…` : text}` : ""),
        });
      }
    };
    const validate = (ref: string, what: string) => {
      if (head || !JSON_TYPES.test(mediaType)) return;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        problems.push(`${what}: the body is not JSON`);
        return;
      }
      const v = validatorAt(ref);
      if (!v(body)) {
        for (const e of v.errors ?? []) {
          problems.push(
            `${what}: ${e.instancePath || "(body)"} ${e.message} ${JSON.stringify(e.params)}`,
          );
        }
      }
    };

    const match = templates.find((t) => t.regex.test(path));
    if (!match) {
      if (!UNDOCUMENTED.some((r) => r.test(path))) {
        if (res.status !== 404) problems.push(`undocumented path answered ${res.status}, not 404`);
        if (!head) validate(problemSchema, "problem");
      }
      fail();
      return { method, path: null, status: res.status, documented: null };
    }
    const item = paths[match.template];
    const opMethod = head ? "get" : method.toLowerCase();
    const op = Object.hasOwn(item, opMethod) ? item[opMethod] : undefined;
    if (!op) {
      // A method the route does not have: 405 with Allow (checked before anything else).
      if (res.status !== 405) {
        problems.push(
          `${method} is not documented for ${match.template}, yet answered ${res.status}`,
        );
      }
      if (res.status === 405 && !res.headers.has("allow")) problems.push("405 without Allow");
      validate(problemSchema, "problem");
      fail();
      return { method, path: match.template, status: res.status, documented: null };
    }
    const status = String(res.status);
    const key = [status, `${status[0]}XX`, "default"].find((k) => Object.hasOwn(op.responses, k));
    if (key === undefined) {
      problems.push(`status ${status} is not documented (nor ${status[0]}XX, nor default)`);
      fail();
      return { method, path: match.template, status: res.status, documented: null };
    }
    const spec = op.responses[key];
    for (const [name, header] of Object.entries(spec.headers ?? {})) {
      if (header.required && !res.headers.has(name)) {
        problems.push(`required header ${name} missing`);
      }
    }
    const content = spec.content ?? {};
    if (Object.keys(content).length === 0) {
      if (text.length > 0) problems.push("a body, where the document says there is none");
    } else if (!Object.hasOwn(content, mediaType)) {
      problems.push(`content-type ${mediaType || "(none)"}, documented: ${Object.keys(content)}`);
    } else if (content[mediaType].schema !== undefined) {
      validate(
        pointer(
          "paths",
          match.template,
          opMethod,
          "responses",
          key,
          "content",
          mediaType,
          "schema",
        ),
        `${key} ${mediaType}`,
      );
    }
    fail();
    return { method, path: match.template, status: res.status, documented: key };
  }

  return { check, documented };
}
