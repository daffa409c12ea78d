/**
 * A client that disconnects in the middle of its upload. Deno.serve then
 * fails the body read with `BadResource: Cannot read request body as
 * underlying resource unavailable` (reproduced over real HTTP with a chunked
 * upload cut short). That is the client's fault: the answer must be a 4xx
 * problem, logged as nothing — not a 500 and an "unhandled error" log line
 * that any client can trigger at will. (The read error reaches `onError`
 * through the chunked path of `bodySizeLimit` and zod-openapi's "is there a
 * body?" check; `onError` maps it to 400.)
 */
import assert from "node:assert/strict";
import { PROBLEM_MEDIA_TYPE } from "../http/problem.ts";
import { createTestApp } from "../testing/test_app.ts";

/** A body that delivers a first chunk, then fails like a dropped connection. */
function droppedBody(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"features": {"Seniority": '));
    },
    pull(controller) {
      controller.error(
        new Deno.errors.BadResource("Cannot read request body as underlying resource unavailable"),
      );
    },
  });
}

const framings: [string, Record<string, string>][] = [
  ["chunked JSON upload", { "content-type": "application/json" }],
  ["chunked upload without Content-Type", {}],
  ["Content-Length upload without Content-Type", { "content-length": "400" }],
  ["Content-Length JSON upload", { "content-type": "application/json", "content-length": "400" }],
];

for (const [name, headers] of framings) {
  Deno.test(`an aborted ${name} is a 4xx problem, logs nothing and is no "unhandled error"`, async () => {
    await using t = await createTestApp();
    const consoleError = console.error;
    const errors: string[] = [];
    console.error = (...args: unknown[]) => errors.push(args.map(String).join(" "));
    let res: Response;
    try {
      res = await t.app.request(
        new Request("http://localhost/predict", { method: "POST", headers, body: droppedBody() }),
      );
    } finally {
      console.error = consoleError;
    }
    assert.ok(res.status >= 400 && res.status < 500, `got ${res.status}`);
    assert.equal(res.headers.get("content-type"), PROBLEM_MEDIA_TYPE);
    assert.equal((await res.json()).status, res.status);
    assert.deepEqual(errors, [], "not logged as an unhandled error");
    assert.equal(await t.store.predictions.count(), 0);
  });
}
