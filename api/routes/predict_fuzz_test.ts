/**
 * Hostile-input fuzzing of the scoring routes, in-process on the real trained
 * model (artifacts/) and a temp database. Over 10,000 generated requests:
 * malformed JSON (truncations, random and invalid UTF-8 bytes), wrong types,
 * huge and odd numeric literals, prototype keys at every level, 10,000-deep
 * nesting, very long and unicode strings, duplicate keys, wrong methods and
 * content types, empty bodies, oversized batches and bodies. For every
 * request:
 *
 * - never a 5xx; every 4xx is an RFC 9457 problem+json document whose
 *   `status` matches; the status is the one an independent oracle (written
 *   from the API contract, not from the code) expects;
 * - no log row for a refused request; a 200 has exactly its rows, scored as
 *   the model scores the same rows directly, and logged as answered;
 * - no unhandled error or rejection anywhere in the process;
 * - every response carries `X-Content-Type-Options: nosniff` and
 *   `Cache-Control: no-store`, a problem answer stays under 32 KiB whatever
 *   the request held, and (through the test app) every response matches the
 *   served OpenAPI document;
 *
 * and afterwards `Object.prototype` (and friends) are untouched and a fixed
 * sample of valid requests scores exactly as it did before the barrage.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { canonicalFeatures } from "../predictor.ts";
import { PROBLEM_MEDIA_TYPE } from "../http/problem.ts";
import type { Features } from "../scoring/feature_vector.ts";
import type { FeatureSpec } from "../scoring/model_meta.ts";
import { createTestApp, TEST_CONFIG, type TestApp } from "../testing/test_app.ts";

const ARTIFACTS = new URL("../../artifacts", import.meta.url).pathname;
const { maxBatchRows, maxBodyBytes } = TEST_CONFIG;

type Path = "/predict" | "/predict_batch" | "/feedback";

/** One request to send. `contentType: null` sends none; default application/json. */
interface Probe {
  path: Path;
  method?: string;
  contentType?: string | null;
  body?: string | Uint8Array<ArrayBuffer>;
  /** Query string, without the `?`. */
  query?: string;
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const hasExactly = (v: Record<string, Json>, keys: string[]) =>
  Object.keys(v).length === keys.length && keys.every((k) => Object.hasOwn(v, k));
const utf8 = new TextEncoder();
/** Decodes bytes as `Request.json()` does: UTF-8, bad sequences → U+FFFD, BOM dropped. */
const decode = (body: Probe["body"]) =>
  body === undefined ? "" : typeof body === "string" ? body : new TextDecoder().decode(body);
const byteLength = (body: Probe["body"]) =>
  body === undefined ? 0 : typeof body === "string" ? utf8.encode(body).length : body.length;

/** `?explain=` takes one of 0, 1, true, false, once; other parameters are ignored. */
function validExplainQuery(query: string | undefined): boolean {
  const values = new URLSearchParams(query ?? "").getAll("explain");
  return values.length === 0 ||
    (values.length === 1 && ["0", "1", "true", "false"].includes(values[0]));
}

/** The API contract, restated independently of the zod schemas: strict input mode. */
function createOracle(specs: readonly FeatureSpec[]) {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const validValue = (spec: FeatureSpec, v: Json) =>
    v === null ||
    (spec.type === "numeric"
      ? typeof v === "number" && Number.isFinite(v)
      : typeof v === "string" && spec.levels.includes(v));
  const validFeatures = (v: Json): v is Features =>
    isObject(v) && Object.keys(v).length === specs.length &&
    Object.keys(v).every((k) => byName.has(k) && validValue(byName.get(k)!, v[k]));

  /** Statuses the contract allows for a parsed JSON body. */
  function forParsed(path: Path, body: Json): number[] {
    if (path === "/feedback") {
      const wellFormed = isObject(body) &&
        hasExactly(body, ["request_id", "outcome", "observed_at"]) &&
        // zod counts string length in code points.
        typeof body.request_id === "string" && body.request_id.length >= 1 &&
        [...body.request_id].length <= 300 &&
        ["default", "repaid"].includes(body.outcome as string) &&
        typeof body.observed_at === "string";
      // More than 5 minutes past the clock: refused whatever the id.
      if (wellFormed && Date.parse(body.observed_at as string) > Date.now() + 5 * 60_000) {
        return [422];
      }
      // Recorded, repeated, unknown id, conflicting outcome, or a bad timestamp.
      return wellFormed ? [200, 201, 404, 409, 422] : [422];
    }
    if (path === "/predict") {
      return isObject(body) && hasExactly(body, ["features"]) && validFeatures(body.features)
        ? [200]
        : [422];
    }
    if (!isObject(body) || !Array.isArray(body.rows)) return [422];
    const rows = body.rows as Json[];
    const allValid = rows.every(validFeatures) && hasExactly(body, ["rows"]);
    if (rows.length > maxBatchRows) return allValid ? [413] : [413, 422];
    return allValid && rows.length >= 1 ? [200] : [422];
  }

  /** Statuses allowed for a probe, or undefined when only the invariants apply. */
  function expected(p: Probe): number[] | undefined {
    if ((p.method ?? "POST") !== "POST") return [405];
    if ((p.contentType === undefined ? "application/json" : p.contentType) !== "application/json") {
      return undefined;
    }
    if (byteLength(p.body) > maxBodyBytes) return [413];
    if (p.path !== "/feedback" && !validExplainQuery(p.query)) return [422];
    let parsed: Json;
    try {
      parsed = JSON.parse(decode(p.body));
    } catch {
      return [400];
    }
    return forParsed(p.path, parsed);
  }

  return { expected, validFeatures };
}

// ---------------------------------------------------------------- arbitraries

function valueArb(spec: FeatureSpec): fc.Arbitrary<number | string | null> {
  if (spec.type === "categorical") {
    return fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...spec.levels) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
  }
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: Math.ceil(spec.min), max: Math.floor(spec.max) }) },
    { weight: 3, arbitrary: fc.double({ min: spec.min, max: spec.max, noNaN: true }) },
    { weight: 1, arbitrary: fc.constant(null) },
    // Valid too: any finite number, far outside the training range.
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  );
}

/** Valid features from the model's real schema: names, ranges, levels, nulls. */
function featuresArb(specs: readonly FeatureSpec[]): fc.Arbitrary<Record<string, Json>> {
  return fc.record(Object.fromEntries(specs.map((s) => [s.name, valueArb(s)])));
}

const PATHS = ["/predict", "/predict_batch"] as const;

/** A valid body object for `path`. */
function payloadArb(specs: readonly FeatureSpec[], path: Path, maxRows = 4) {
  const features = featuresArb(specs);
  return path === "/predict"
    ? features.map((f) => ({ features: f }) as Record<string, Json>)
    : fc.array(features, { minLength: 1, maxLength: maxRows }).map((rows) =>
      ({ rows }) as Record<string, Json>
    );
}

const PROTO_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "__defineGetter__",
  "hasOwnProperty",
  "toString",
  "valueOf",
] as const;

/** Values a client should never send for a feature (some are valid by accident: null). */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.boolean(),
  fc.integer(),
  fc.double(), // NaN and ±Infinity serialise as null: valid, and so checked as valid
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constantFrom(
    "NaN",
    "Infinity",
    "-Infinity",
    "nan",
    "1e400",
    "",
    " ",
    "null",
    "0x10",
    "1_000",
    "١٢٣",
    "\u0000",
    "\ud800",
    "\udfff\ud800",
    "OWNER",
    " owner",
    "owner ",
    "yes\u200b",
    "ow\u0000ner",
    "𝟙𝟚𝟛",
  ),
  fc.integer({ min: 10_000, max: 40_000 }).map((n) => "x".repeat(n)),
  fc.string({ unit: "grapheme", minLength: 200, maxLength: 2000 }),
);

/** Sets an own property, even `__proto__` (plain assignment would set the prototype). */
function setOwn(obj: Record<string, Json>, key: string, value: Json) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One structural edit of a valid payload. */
type Edit = (body: Record<string, Json>, pick: number) => Json;
/** The feature objects of a payload (none once an edit replaced them by something else). */
const featureObjects = (body: Record<string, Json>): Record<string, Json>[] =>
  (isObject(body.features) ? [body.features] : Array.isArray(body.rows) ? body.rows : [])
    .filter(isObject);

function editsArb(specs: readonly FeatureSpec[]): fc.Arbitrary<Edit> {
  const names = specs.map((s) => s.name);
  const anyKey = fc.oneof(fc.constantFrom(...names, ...PROTO_KEYS), fc.string({ maxLength: 12 }));
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(fc.constantFrom(...names), hostileValue).map(
        ([name, value]): Edit => (body, pick) => {
          const objs = featureObjects(body);
          if (objs.length) setOwn(objs[pick % objs.length], name, value);
          return body;
        },
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...names).map((name): Edit => (body, pick) => {
        const objs = featureObjects(body);
        if (objs.length) delete objs[pick % objs.length][name];
        return body;
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(anyKey, hostileValue).map(([key, value]): Edit => (body, pick) => {
        const objs = featureObjects(body);
        if (objs.length) setOwn(objs[pick % objs.length], key, value);
        return body;
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(anyKey, hostileValue).map(([key, value]): Edit => (body) => {
        setOwn(body, key, value);
        return body;
      }),
    },
    {
      weight: 1,
      arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value): Edit => (body) => {
        const key = isObject(body.features) ? "features" : "rows";
        setOwn(body, key, value);
        return body;
      }),
    },
    {
      weight: 1,
      arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value): Edit => () => value),
    },
  );
}

/** Byte-level damage: truncations, random bytes, invalid UTF-8 in strings, token soup. */
function malformedArb(specs: readonly FeatureSpec[]): fc.Arbitrary<Probe> {
  const validText = fc.constantFrom(...PATHS).chain((path) =>
    payloadArb(specs, path).map((body) => ({ path, text: JSON.stringify(body) }))
  );
  const badUtf8 = fc.constantFrom(
    [0xff],
    [0xc3, 0x28],
    [0xe2, 0x28, 0xa1],
    [0xf0, 0x90, 0x28, 0xbc],
    [0xed, 0xa0, 0x80], // an encoded surrogate
    [0xc0, 0xaf], // overlong "/"
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0xef, 0xbb, 0xbf], // a BOM in the middle
    [0xe2, 0x82],
  );
  const tokens = fc.array(
    fc.constantFrom(
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      '"',
      "null",
      "1e400",
      "NaN",
      "Infinity",
      "-",
      "true",
      '"features"',
      '"rows"',
      '"Age"',
      "\\",
      "\\u",
      '"\\ud800"',
      " ",
      "\n",
      "\u0000",
      "'",
      "/*",
    ),
    { maxLength: 40 },
  ).map((parts) => parts.join(""));
  return fc.oneof(
    fc.tuple(validText, fc.nat()).map(([{ path, text }, k]) => ({
      path,
      body: text.slice(0, k % text.length),
    })),
    fc.tuple(
      validText,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      }),
    ).map(([{ path, text }, flips]) => {
      const bytes = utf8.encode(text);
      for (const [at, byte] of flips) bytes[at % bytes.length] = byte;
      return { path, body: bytes };
    }),
    fc.tuple(validText, badUtf8, fc.nat()).map(([{ path, text }, bad, k]) => {
      // Inside a string value: after the k-th quote that opens a categorical level.
      const bytes = utf8.encode(text);
      const quotes = [...bytes.keys()].filter((i) => bytes[i] === 0x22);
      const at = quotes.length ? quotes[k % quotes.length] + 1 : 0;
      return {
        path,
        body: new Uint8Array([...bytes.subarray(0, at), ...bad, ...bytes.subarray(at)]),
      };
    }),
    fc.tuple(fc.constantFrom(...PATHS), fc.uint8Array({ maxLength: 300 })).map((
      [path, body],
    ) => ({ path, body })),
    fc.tuple(fc.constantFrom(...PATHS), fc.string({ unit: "binary", maxLength: 200 })).map((
      [path, body],
    ) => ({ path, body })),
    fc.tuple(fc.constantFrom(...PATHS), tokens).map(([path, body]) => ({ path, body })),
  );
}

/** Raw numeric literals (valid, overflowing, underflowing, invalid JSON) in a feature slot. */
function numberLiteralArb(specs: readonly FeatureSpec[]): fc.Arbitrary<Probe> {
  const literal = fc.oneof(
    fc.constantFrom(
      "1e308",
      "-1e308",
      "1e309",
      "1e400",
      "-1e400",
      "1E+999",
      "1e-400",
      "4.9e-324",
      "2e-324",
      "1.7976931348623157e308",
      "1.7976931348623159e308",
      "123456789012345678901234567890",
      "-0",
      "0e0",
      "1E+2",
      "00",
      "01",
      "1.",
      ".5",
      "+1",
      "0x1F",
      "Infinity",
      "-Infinity",
      "NaN",
      "1e",
      "--1",
      '"1e400"',
      '"NaN"',
      '"Infinity"',
      "9".repeat(400),
    ),
    fc.double().map((d) => String(d)),
    fc.bigInt().map((b) => String(b)),
  );
  return fc.tuple(payloadArb(specs, "/predict"), fc.constantFrom(...specs), literal).map((
    [body, spec, lit],
  ) => {
    const features = body.features as Record<string, Json>;
    const marker = "@@literal@@";
    features[spec.name] = marker;
    return { path: "/predict", body: JSON.stringify(body).replace(`"${marker}"`, lit) };
  });
}

/** A prototype-ish key injected into an object at any level (top, features, a row, nested). */
function protoKeyArb(specs: readonly FeatureSpec[]): fc.Arbitrary<Probe> {
  const value = fc.oneof(
    fc.constantFrom(
      '{"polluted":true}',
      '{"prototype":{"polluted":true}}',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '[{"__proto__":{"polluted":true}}]',
      "null",
      '"polluted"',
    ),
    fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  );
  return fc.tuple(
    fc.constantFrom(...PATHS).chain((path) =>
      payloadArb(specs, path).map((body) => ({ path, text: JSON.stringify(body) }))
    ),
    fc.constantFrom(...PROTO_KEYS),
    value,
    fc.nat(),
  ).map(([{ path, text }, key, val, pick]) => {
    // Every "{" of a valid payload opens an object (levels contain no braces).
    const opens = [...text].flatMap((ch, i) => ch === "{" ? [i] : []);
    const at = opens[pick % opens.length] + 1;
    return { path, body: `${text.slice(0, at)}"${key}":${val},${text.slice(at)}` };
  });
}

/** Arrays or objects nested thousands deep, in various slots. */
function deepArb(specs: readonly FeatureSpec[]): fc.Arbitrary<Probe> {
  const name = specs[0].name;
  return fc.tuple(
    fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: 1_000, max: 10_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 50_000, max: 140_000 }) },
    ),
    fc.constantFrom("array", "object"),
    fc.constantFrom("body", "features", "feature", "unknown", "rows", "row"),
    payloadArb(specs, "/predict"),
  ).map(([depth, kind, slot, valid]) => {
    const deep = kind === "array"
      ? "[".repeat(depth) + "]".repeat(depth)
      : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    const features = JSON.stringify(valid.features);
    const withMember = (member: string) => `${features.slice(0, -1)},${member}}`;
    switch (slot) {
      case "body":
        return { path: "/predict", body: deep };
      case "features":
        return { path: "/predict", body: `{"features":${deep}}` };
      case "feature":
        return {
          path: "/predict",
          body: `{"features":${features.replace(/"[^"]+":[^,}]+/, `"${name}":${deep}`)}}`,
        };
      case "unknown":
        return { path: "/predict", body: `{"features":${withMember(`"deep":${deep}`)}}` };
      case "rows":
        return { path: "/predict_batch", body: `{"rows":${deep}}` };
      default:
        return { path: "/predict_batch", body: `{"rows":[${features},${deep}]}` };
    }
  });
}

/** A member repeated in the raw text: the last one wins, and what is logged must agree. */
function duplicateKeyArb(specs: readonly FeatureSpec[]): fc.Arbitrary<Probe> {
  const valueText = (spec: FeatureSpec) =>
    fc.oneof(valueArb(spec), hostileValue).map((v) => JSON.stringify(v) ?? "null");
  return fc.tuple(
    fc.constantFrom(...PATHS).chain((path) =>
      payloadArb(specs, path, 3).map((body) => ({ path, body }))
    ),
    fc.constantFrom(...specs).chain((spec) =>
      fc.tuple(fc.constant(spec), valueText(spec), valueText(spec))
    ),
    fc.boolean(),
  ).map(([{ path, body }, [spec, first, last], topLevel]) => {
    const key = path === "/predict" ? "features" : "rows";
    const inner = JSON.stringify(body[key]);
    if (topLevel) {
      // {"features": <garbage>, "features": <valid>} or the reverse.
      const other = `{"${spec.name}":${first}}`;
      return { path, body: `{"${key}":${other},"${key}":${inner}}` };
    }
    const dupe = (obj: string) =>
      `{"${spec.name}":${first},${obj.slice(1, -1)},"${spec.name}":${last}}`;
    const text = path === "/predict"
      ? `{"features":${dupe(inner)}}`
      : `{"rows":[${(body.rows as Json[]).map((r) => dupe(JSON.stringify(r))).join(",")}]}`;
    return { path, body: text };
  });
}

/** Methods, content types (odd, wrong, missing) and bodies (empty, junk, valid). */
function transportArb(specs: readonly FeatureSpec[]): fc.Arbitrary<Probe> {
  const contentType = fc.oneof(
    fc.constantFrom(
      null,
      "application/json",
      "application/json; charset=utf-8",
      "APPLICATION/JSON",
      "application/json;charset=UTF-8",
      "application/json; charset",
      "text/plain",
      "text/json",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/problem+json",
      "application/vnd.api+json",
      "application/jsonx",
      "application/json, text/plain",
      "json",
      "",
      "application/octet-stream",
      "*/*",
      "application/json; charset=utf-16",
    ),
    fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
  );
  const body = fc.constantFrom(...PATHS).chain((path) =>
    fc.oneof(
      payloadArb(specs, path).map((b) => JSON.stringify(b)),
      fc.constantFrom("", "null", "{}", "[]", '""', "0"),
      fc.string({ maxLength: 50 }),
      fc.constant(undefined),
    ).map((b) => ({ path, body: b }))
  );
  const method = fc.oneof(
    { weight: 6, arbitrary: fc.constant("POST") },
    { weight: 1, arbitrary: fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO") },
  );
  return fc.tuple(method, contentType, body).map(([m, ct, { path, body: b }]) => ({
    path,
    method: m,
    contentType: ct,
    body: m === "GET" ? undefined : b,
  }));
}

/** Batch sizes around MAX_BATCH_ROWS, and bodies around MAX_BODY_BYTES. */
function sizesArb(specs: readonly FeatureSpec[]): fc.Arbitrary<Probe> {
  return fc.tuple(
    featuresArb(specs),
    fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: maxBatchRows }),
      fc.integer({ min: maxBatchRows + 1, max: 2 * maxBatchRows }),
    ),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 * maxBodyBytes }) },
    ),
  ).map(([row, n, pad]) => ({
    path: "/predict_batch",
    body: JSON.stringify({ rows: Array.from({ length: n }, () => row) }).slice(0, -1) +
      (pad ? `,"pad":"${"p".repeat(pad)}"}` : "}"),
  }));
}

/** Valid bodies with `?explain=` values: valid, odd, repeated, encoded. */
function queryArb(specs: readonly FeatureSpec[]): fc.Arbitrary<Probe> {
  const value = fc.oneof(
    fc.constantFrom("0", "1", "true", "false", "", "yes", "TRUE", "2", "\u0000", "__proto__"),
    fc.string({ maxLength: 20 }),
    fc.string({ unit: "binary", maxLength: 300 }),
  );
  return fc.tuple(
    fc.constantFrom(...PATHS).chain((path) =>
      payloadArb(specs, path).map((body) => ({ path, body }))
    ),
    fc.array(value, { minLength: 0, maxLength: 2 }),
    fc.constantFrom("", "&other=1", "&explain", "&constructor=x"),
  ).map(([{ path, body }, values, extra]) => ({
    path,
    body: JSON.stringify(body),
    query: values.map((v) => `explain=${encodeURIComponent(v)}`).join("&") + extra,
  }));
}

/** `null` four times out of five, else a value of `arb`. */
const rarely = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/** Outcome feedback: known and unknown ids, odd timestamps, hostile fields and text. */
function feedbackArb(knownIds: () => string[]): fc.Arbitrary<Probe> {
  const requestId = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.nat().map((n) => {
        const ids = knownIds();
        return ids.length ? ids[n % ids.length] : "none";
      }),
    },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("", "x".repeat(301), "__proto__", "fz-1:0", "' OR 1=1 --", "%00"),
    },
  );
  const observedAt = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.date({
        min: new Date("2000-01-01"),
        max: new Date("2100-01-01"),
        noInvalidDate: true,
      })
        .map((d) => d.toISOString()),
    },
    { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "2099-01-01T00:00:00Z",
        "2099-01-01T00:00:00+14:00",
        "2000-01-01T00:00:00Z",
        "2099-01-01T00:00:60Z",
        "2099-02-30T00:00:00Z",
        "2099-01-01",
        "2099-01-01T00:00:00",
        "+275760-09-13T00:00:00Z",
        "now",
        "",
      ),
    },
  );
  const body = fc.record({
    request_id: fc.oneof({ weight: 4, arbitrary: requestId }, {
      weight: 1,
      arbitrary: hostileValue,
    }),
    outcome: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom("default", "repaid") },
      { weight: 1, arbitrary: hostileValue },
    ),
    observed_at: fc.oneof({ weight: 4, arbitrary: observedAt }, {
      weight: 1,
      arbitrary: hostileValue,
    }),
  });
  return fc.tuple(
    body,
    rarely(fc.constantFrom("request_id", "outcome", "observed_at")),
    rarely(fc.tuple(fc.constantFrom(...PROTO_KEYS, "extra"), hostileValue)),
    rarely(fc.nat()),
  ).map(([b, drop, extra, cut]): Probe => {
    const obj = b as Record<string, Json>;
    if (drop) delete obj[drop];
    if (extra) setOwn(obj, extra[0], extra[1]);
    const text = JSON.stringify(obj);
    return { path: "/feedback", body: cut === null ? text : text.slice(0, cut % text.length) };
  });
}

// ---------------------------------------------------------------- harness

function createHarness(t: TestApp) {
  const oracle = createOracle(t.model.meta.features);
  const names = t.model.meta.features.map((f) => f.name);
  const outcomeCount = () => t.countRows("outcomes");
  const scoredIds: string[] = [];
  const { threshold } = t.model.meta;
  let sent = 0;

  async function assertProblem(res: Response, where: string, p: Probe) {
    assert.equal(res.headers.get("content-type"), PROBLEM_MEDIA_TYPE, where);
    const text = await res.text();
    assert.ok(text.length <= 32 * 1024, `a ${text.length}-character problem: ${where}`);
    const problem = JSON.parse(text);
    if (res.status === 422 && p.path !== "/feedback" && !validExplainQuery(p.query)) {
      assert.equal(problem.errors[0].parameter, "explain", `names the query parameter: ${where}`);
      assert.equal(problem.errors[0].pointer, undefined, where);
    }
    assert.equal(problem.status, res.status, where);
    assert.match(problem.type, /^\/problems\/[a-z-]+$/, where);
    assert.equal(typeof problem.title, "string", where);
    assert.ok(typeof problem.detail === "string" && problem.detail.length > 0, where);
  }

  /** Checks a 200: its items are the model's scores of the parsed rows, each logged as answered. */
  async function assertScoredAndLogged(p: Probe, res: Response, id: string, where: string) {
    const parsed = JSON.parse(decode(p.body)) as Record<string, Json>;
    const rows = (p.path === "/predict" ? [parsed.features] : parsed.rows) as Features[];
    const canonical = rows.map((r) => canonicalFeatures(names, r));
    const expected = await t.model.scoreRows(canonical);
    const body = await res.json();
    const items = p.path === "/predict" ? [body] : body.items;
    assert.equal(items.length, rows.length, where);
    for (const [i, item] of (items as Record<string, Json>[]).entries()) {
      const itemId = p.path === "/predict" ? id : `${id}:${i}`;
      assert.equal(item.request_id, itemId, where);
      assert.equal(item.proba_default, expected[i], `${where}: scores as the model does`);
      assert.equal(item.decision, expected[i] >= threshold ? 1 : 0, where);
      assert.equal(item.decision_label, expected[i] >= threshold ? "reject" : "approve", where);
      const logged = await t.store.predictions.findByRequestId(itemId);
      assert.equal(logged.length, 1, `${where}: logged once`);
      assert.equal(logged[0].proba_default, item.proba_default, where);
      assert.equal(logged[0].decision, item.decision, where);
      assert.equal(logged[0].input_json, JSON.stringify(canonical[i]), `${where}: logged input`);
    }
    return rows.length;
  }

  /** Sends a probe and checks every invariant; returns the status. */
  async function send(p: Probe): Promise<number> {
    sent += 1;
    const id = `fz-${sent}`;
    const headers: Record<string, string> = { "x-request-id": id };
    const contentType = p.contentType === undefined ? "application/json" : p.contentType;
    if (contentType !== null) headers["content-type"] = contentType;
    const before = await t.store.predictions.count();
    const outcomesBefore = outcomeCount();
    const url = p.query === undefined ? p.path : `${p.path}?${p.query}`;
    const res = await t.app.request(url, { method: p.method ?? "POST", headers, body: p.body });
    const shown = decode(p.body);
    const where = `${p.method ?? "POST"} ${p.path} [${contentType}] ${
      shown.length > 300 ? `${shown.slice(0, 300)}… (${shown.length} chars)` : shown
    } → ${res.status}`;
    assert.ok(res.status < 500, `never a 5xx: ${where}`);
    const allowed = oracle.expected(p);
    if (allowed) assert.ok(allowed.includes(res.status), `expected ${allowed}: ${where}`);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", where);
    assert.equal(res.headers.get("cache-control"), "no-store", `applicants' data: ${where}`);
    let logged = 0;
    if (res.status >= 400) await assertProblem(res, where, p);
    else if (p.path !== "/feedback" && res.status === 200) {
      logged = await assertScoredAndLogged(p, res, id, where);
      if (p.path === "/predict") scoredIds.push(id);
    } else await res.body?.cancel();
    assert.equal((await t.store.predictions.count()) - before, logged, `rows logged: ${where}`);
    const recorded = p.path === "/feedback" && res.status === 201 ? 1 : 0;
    assert.equal(outcomeCount() - outcomesBefore, recorded, `outcomes recorded: ${where}`);
    return res.status;
  }

  return {
    send,
    oracle,
    scoredIds,
    get sent() {
      return sent;
    },
  };
}

/** Snapshot of the built-in prototypes' own keys. */
function prototypeKeys() {
  const protos = { Object, Array, Function, String, Number, Boolean };
  return Object.fromEntries(
    Object.entries(protos).map(([n, c]) => [n, Reflect.ownKeys(c.prototype).map(String).sort()]),
  );
}

Deno.test("hostile payloads never crash, never 5xx, never log, and leave scoring intact", async (tc) => {
  const errors: unknown[] = [];
  const onError = (e: ErrorEvent) => errors.push(e.error);
  const onRejection = (e: PromiseRejectionEvent) => errors.push(e.reason);
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  const consoleError = console.error;
  const logged: string[] = [];
  console.error = (...args: unknown[]) => logged.push(args.map(String).join(" "));
  const protoBefore = prototypeKeys();

  await using t = await createTestApp({ artifactsDir: ARTIFACTS });
  const h = createHarness(t);
  const specs = t.model.meta.features;
  const run = <T>(arb: fc.Arbitrary<T>, numRuns: number, toProbe: (v: T) => Probe) =>
    fc.assert(fc.asyncProperty(arb, async (v) => void await h.send(toProbe(v))), { numRuns });

  // A fixed sample of valid requests, scored before and after the barrage.
  const sample = fc.sample(fc.array(featuresArb(specs), { minLength: 1, maxLength: 20 }), {
    numRuns: 20,
    seed: 42,
  });
  const scoreSample = async () => {
    const out: number[][] = [];
    for (const rows of sample) {
      const res = await t.post("/predict_batch", { rows });
      assert.equal(res.status, 200);
      out.push((await res.json()).items.map((i: { proba_default: number }) => i.proba_default));
    }
    return out;
  };
  const sampleBefore = await scoreSample();

  try {
    await tc.step("valid requests from the model schema score and log exactly", () =>
      run(
        fc.constantFrom(...PATHS).chain((path) =>
          payloadArb(specs, path, 10).map((body) => ({ path, body }))
        ),
        1500,
        ({ path, body }) => ({ path, body: JSON.stringify(body) }),
      ));
    await tc.step(
      "malformed JSON: truncated, random bytes, invalid UTF-8, token soup",
      () => run(malformedArb(specs), 2000, (p) => p),
    );
    await tc.step("wrong types, missing and unknown features, hostile values and shapes", () =>
      run(
        fc.tuple(
          fc.constantFrom(...PATHS).chain((path) =>
            payloadArb(specs, path).map((body) => ({ path, body }))
          ),
          fc.array(fc.tuple(editsArb(specs), fc.nat()), { minLength: 1, maxLength: 3 }),
        ),
        2700,
        ([{ path, body }, edits]) => {
          let out: Json = body;
          for (const [edit, pick] of edits) out = isObject(out) ? edit(out, pick) : out;
          return { path, body: JSON.stringify(out) ?? "null" };
        },
      ));
    await tc.step(
      "huge, tiny and invalid numeric literals",
      () => run(numberLiteralArb(specs), 600, (p) => p),
    );
    await tc.step(
      "__proto__ / constructor / prototype keys at every level",
      () => run(protoKeyArb(specs), 1000, (p) => p),
    );
    await tc.step("nesting 1,000 to 140,000 levels deep", () => run(deepArb(specs), 120, (p) => p));
    await tc.step(
      "duplicate keys: the last one wins for scoring and logging alike",
      () => run(duplicateKeyArb(specs), 600, (p) => p),
    );
    await tc.step(
      "methods, content types, empty bodies",
      () => run(transportArb(specs), 700, (p) => p),
    );
    await tc.step(
      "batch sizes around MAX_BATCH_ROWS, bodies around MAX_BODY_BYTES",
      () => run(sizesArb(specs), 150, (p) => p),
    );
    await tc.step(
      "feedback: known and unknown ids, odd timestamps, hostile fields",
      () => run(feedbackArb(() => h.scoredIds), 800, (p) => p),
    );
    await tc.step(
      "query strings: ?explain= valid, odd, repeated; other parameters",
      () => run(queryArb(specs), 500, (p) => p),
    );
  } finally {
    console.error = consoleError;
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);
  }

  assert.ok(h.sent >= 10_000, `sent ${h.sent} requests`);
  assert.deepEqual(errors, [], "no uncaught error or unhandled rejection");
  assert.deepEqual(logged, [], "no unhandled-error log line");
  assert.deepEqual(prototypeKeys(), protoBefore, "built-in prototypes untouched");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
  assert.deepEqual(await scoreSample(), sampleBefore, "valid requests score as before");
});
