import assert from "node:assert/strict";
import { createTestApp } from "../testing/test_app.ts";

Deno.test("GET / redirects to /docs, which loads Swagger UI from this server only", async () => {
  await using t = await createTestApp();
  const root = await t.app.request("/");
  assert.equal(root.status, 302);
  assert.equal(root.headers.get("location"), "/docs");
  const page = await (await t.app.request("/docs")).text();
  const urls = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(urls.length >= 3);
  for (const url of urls) {
    assert.ok(url.startsWith("/"), `${url} is served locally, not from a CDN`);
  }
  for (const url of urls.filter((u) => u.startsWith("/docs/"))) {
    const res = await t.app.request(url);
    assert.equal(res.status, 200, url);
    assert.ok((await res.arrayBuffer()).byteLength > 0);
  }
});

Deno.test("GET /openapi.json describes both scoring routes with the model's features", async () => {
  await using t = await createTestApp();
  const doc = await (await t.app.request("/openapi.json")).json();
  assert.equal(doc.openapi, "3.1.0");
  for (const path of ["/predict", "/predict_batch"]) {
    const op = doc.paths[path].post;
    assert.ok(op.requestBody.content["application/json"].schema);
    assert.ok(op.responses["200"]);
    assert.ok(op.responses["422"].content["application/problem+json"]);
  }
  const features = doc.components.schemas.Features;
  assert.deepEqual(
    Object.keys(features.properties),
    t.model.meta.features.map((f) => f.name),
  );
  assert.deepEqual(features.required, t.model.meta.features.map((f) => f.name));
  assert.ok(doc.components.schemas.PredictRequest.example.features);
});

Deno.test("problem types resolve to a description; unknown ones are 404", async () => {
  await using t = await createTestApp();
  const known = await t.app.request("/problems/validation");
  assert.equal(known.status, 200);
  assert.match(await known.text(), /does not match the schema/);
  assert.equal((await t.app.request("/problems/nope")).status, 404);
});

Deno.test("names of Object.prototype's members are not problem types or assets (404, no 500)", async () => {
  await using t = await createTestApp();
  const errors: string[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => errors.push(args.map(String).join(" "));
  try {
    for (
      const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]
    ) {
      for (const path of [`/problems/${name}`, `/docs/assets/${name}`]) {
        const res = await t.app.request(path);
        assert.equal(res.status, 404, path);
        const body = await res.json();
        assert.equal(body.type, "/problems/not-found", path);
        assert.ok(!JSON.stringify(body).includes("native code"), path);
      }
    }
  } finally {
    console.error = error;
  }
  assert.deepEqual(errors, [], "nothing unexpected was logged");
});

Deno.test("the docs pages carry a CSP: this server's scripts only, framed by the deployment only", async () => {
  await using t = await createTestApp();
  for (const path of ["/docs", "/docs/init.js", "/docs/assets/swagger-ui-bundle.js"]) {
    const res = await t.app.request(path);
    await res.body?.cancel();
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /(^|; )script-src 'self'(;|$)/, path);
    assert.match(csp, /(^|; )object-src 'none'(;|$)/, path);
    assert.match(csp, /(^|; )frame-ancestors 'self'(;|$)/, path);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
  }
});

Deno.test("the document declares its keys, servers, licence and an operationId per operation", async () => {
  await using t = await createTestApp({ config: { apiKeys: ["scoring-key-000000000001"] } });
  const doc = await (await t.app.request("/openapi.json")).json();
  assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
    type: "http",
    scheme: "bearer",
    description: doc.components.securitySchemes.bearerAuth.description,
  });
  assert.equal(doc.components.securitySchemes.apiKeyHeader.in, "header");
  assert.equal(doc.components.securitySchemes.apiKeyHeader.name, "X-API-Key");
  const keyed = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
  for (const path of ["/predict", "/predict_batch", "/feedback"]) {
    const op = doc.paths[path].post;
    assert.deepEqual(op.security, keyed, path);
    for (const status of ["401", "429", "503"]) {
      assert.ok(op.responses[status], `${path} ${status}`);
    }
    assert.ok(op.responses["503"].headers["Retry-After"].required, `${path}: Retry-After on 503`);
    assert.ok(op.responses.default, `${path}: a default problem response (404, 405 …)`);
  }
  for (const status of ["413", "415"]) assert.ok(doc.paths["/feedback"].post.responses[status]);
  assert.deepEqual(doc.paths["/metrics"].get.security, keyed);
  assert.deepEqual(doc.paths["/health"].get.security, [], "public");
  assert.ok(doc.servers.length >= 1);
  assert.ok(doc.info.license.name);
  const ids = Object.values(doc.paths).flatMap((item) =>
    Object.values(item as Record<string, { operationId?: string }>).map((op) => op.operationId)
  );
  assert.ok(ids.every((id) => typeof id === "string" && id.length > 0), String(ids));
  assert.equal(new Set(ids).size, ids.length, "unique");
});

Deno.test("in open mode the document makes the keys optional", async () => {
  await using t = await createTestApp();
  const doc = await (await t.app.request("/openapi.json")).json();
  assert.deepEqual(doc.paths["/predict"].post.security, [{}, { bearerAuth: [] }, {
    apiKeyHeader: [],
  }]);
});
