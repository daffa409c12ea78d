/**
 * The site's forms take form bodies only, and a form body that does not
 * parse is the client's error (400), never a 500 with a stack trace.
 */
import assert from "node:assert/strict";
import { logIn } from "../testing/http.ts";
import { createSiteTestApp } from "../testing/site_test_kit.ts";

const ADMIN = "admin-key-0000000000000001";
const keys = { apiKeys: ["scoring-key-000000000001"], adminKeys: [ADMIN] };
const FORMS = ["/monitor/login", "/monitor/score", "/monitor/drift", "/monitor/logout"];

/** Runs `work`, returning what it wrote to console.error. */
async function errorLines(work: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    await work();
  } finally {
    console.error = error;
  }
  return lines;
}

Deno.test("a malformed multipart body on the site's forms is 400, without a stack trace", async () => {
  await using t = await createSiteTestApp({ config: keys, site: { drift: { minIntervalMs: 0 } } });
  const session = await logIn(t.app, ADMIN);
  const bodies: [string, string][] = [
    ["multipart/form-data; boundary=zzz", "garbage"],
    ["multipart/form-data", "--x\r\ncontent-disposition: form-data; name=key\r\n\r\nabc"],
  ];
  const logged = await errorLines(async () => {
    for (const path of FORMS) {
      const auths: Record<string, string>[] = [
        { authorization: `Bearer ${ADMIN}` },
        { cookie: session.cookie },
      ];
      for (const auth of auths) {
        // Logout reads its body only for the session's CSRF token.
        if (path === "/monitor/logout" && auth.cookie === undefined) continue;
        for (const [type, body] of bodies) {
          const res = await t.app.request(path, {
            method: "POST",
            headers: { "content-type": type, origin: "http://localhost", ...auth },
            body,
          });
          const where = `${path} ${Object.keys(auth)[0]} ${JSON.stringify(body)}`;
          assert.equal(res.status, 400, where);
          assert.match(await res.text(), /form body could not be read/, where);
        }
      }
    }
  });
  assert.deepEqual(logged, [], "no unhandled error logged");
  assert.equal(await t.store.predictions.count(), 0, "nothing scored");
});

Deno.test("the site's forms refuse JSON and other non-form bodies with 415", async () => {
  await using t = await createSiteTestApp({ config: keys });
  const features = Object.fromEntries(t.model.meta.features.map((f) => [f.name, null]));
  const cases: [Record<string, string>, string | undefined][] = [
    [{ "content-type": "application/json" }, JSON.stringify(features)],
    [{ "content-type": "text/plain" }, "key=x"],
    [{}, undefined],
  ];
  for (const path of FORMS) {
    for (const [headers, body] of cases) {
      const res = await t.app.request(path, {
        method: "POST",
        headers: { ...headers, authorization: `Bearer ${ADMIN}`, origin: "http://localhost" },
        body,
      });
      assert.equal(res.status, 415, `${path} ${JSON.stringify(headers)}`);
      await res.body?.cancel();
    }
  }
  const json = await t.app.request("/monitor/score", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${ADMIN}`,
      accept: "application/json",
    },
    body: JSON.stringify(features),
  });
  assert.equal(json.status, 415);
  assert.equal((await json.json()).type, "/problems/unsupported-media-type");
  assert.equal(await t.store.predictions.count(), 0, "no all-missing applicant was scored");
});
