import assert from "node:assert/strict";
import { SESSION_COOKIE } from "../../api/auth/session.ts";
import { cookiePair, csrfTokenOf, getPage, logIn, postForm } from "../testing/http.ts";
import { createSiteTestApp } from "../testing/site_test_kit.ts";

const SCORING = "scoring-key-000000000001";
const ADMIN = "admin-key-0000000000000001";
const keys = { apiKeys: [SCORING], adminKeys: [ADMIN] };

/** The Set-Cookie line of the session cookie. */
function sessionCookieLine(headers: Headers): string | undefined {
  return headers.getSetCookie().find((l) => l.startsWith(`${SESSION_COOKIE}=`));
}

Deno.test("logging in with an admin key sets a hardened session cookie and goes to next", async () => {
  await using t = await createSiteTestApp({ config: keys });
  const page = await getPage(t.app, "/monitor/login?next=%2Fmonitor%2Fdrift");
  assert.equal(page.status, 200);
  assert.match(page.html, /<input type="hidden" name="next" value="\/monitor\/drift"/);
  assert.match(page.html, /<input id="admin-key" name="key" type="password"/);
  assert.match(page.html, /data-testid="iframe-note"[^>]*>[^<]*Hugging Face/);

  const res = await postForm(t.app, "/monitor/login", { key: ADMIN, next: "/monitor/drift" });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/monitor/drift");
  const line = sessionCookieLine(res.headers)!;
  const attrs = line.split(";").slice(1).map((a) => a.trim());
  assert.ok(attrs.includes("HttpOnly"), line);
  assert.ok(attrs.includes("SameSite=Lax"), line);
  assert.ok(attrs.includes("Path=/monitor"), line);
  assert.ok(attrs.includes("Max-Age=28800"), line);
  assert.ok(!attrs.includes("Secure"), "plain HTTP: no Secure flag");

  const cookie = cookiePair(res, SESSION_COOKIE)!;
  const drift = await getPage(t.app, "/monitor/drift", { headers: { cookie } });
  assert.equal(drift.status, 200);
  assert.match(drift.html, /<h1>Drift<\/h1>/);
  assert.ok(!drift.html.includes('data-testid="open-mode"'));
  assert.match(drift.html, /action="\/monitor\/logout"/);
});

Deno.test("behind a TLS-terminating proxy the cookie is Secure", async () => {
  await using t = await createSiteTestApp({ config: keys });
  const res = await postForm(t.app, "/monitor/login", { key: ADMIN }, {
    headers: { "x-forwarded-proto": "https" },
  });
  assert.equal(res.status, 303);
  assert.ok(sessionCookieLine(res.headers)!.split(";").map((a) => a.trim()).includes("Secure"));
});

Deno.test("a wrong key, an empty key and a scoring key get no session", async () => {
  await using t = await createSiteTestApp({ config: keys });
  const cases: [Record<string, string>, number, RegExp][] = [
    [{ key: "wrong-key-000000000000000" }, 401, /not valid/],
    [{ key: "" }, 401, /not valid/],
    [{}, 401, /not valid/],
    [{ key: SCORING }, 403, /scoring key/],
  ];
  for (const [fields, status, message] of cases) {
    const res = await postForm(t.app, "/monitor/login", fields);
    assert.equal(res.status, status, JSON.stringify(fields));
    assert.match(res.html, message);
    assert.equal(sessionCookieLine(res.headers), undefined, JSON.stringify(fields));
    assert.ok(!res.html.includes(ADMIN) && !res.html.includes(SCORING), "keys are never echoed");
  }
});

Deno.test("the login form refuses cross-site posts (Origin check)", async () => {
  await using t = await createSiteTestApp({ config: keys });
  const res = await postForm(t.app, "/monitor/login", { key: ADMIN }, {
    origin: "https://evil.example",
  });
  assert.equal(res.status, 403);
  assert.equal(sessionCookieLine(res.headers), undefined);
});

Deno.test("open-redirect attempts after login land on the site", async () => {
  await using t = await createSiteTestApp({ config: keys });
  const attempts = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "/monitor/../docs",
    "javascript:alert(1)",
  ];
  for (const next of attempts) {
    const res = await postForm(t.app, "/monitor/login", { key: ADMIN, next });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/monitor", next);
    const page = await getPage(t.app, `/monitor/login?next=${encodeURIComponent(next)}`);
    assert.match(page.html, /name="next" value="\/monitor"/, next);
  }
});

Deno.test("logout clears the cookie; it needs the session's CSRF token", async () => {
  await using t = await createSiteTestApp({ config: keys });
  const { cookie, csrf } = await logIn(t.app, ADMIN);
  const forged = await postForm(t.app, "/monitor/logout", {}, { headers: { cookie } });
  assert.equal(forged.status, 403);
  assert.equal(sessionCookieLine(forged.headers), undefined);

  const res = await postForm(t.app, "/monitor/logout", { _csrf: csrf }, { headers: { cookie } });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/monitor/login");
  const line = sessionCookieLine(res.headers)!;
  assert.match(line, new RegExp(`^${SESSION_COOKIE}=;`));
  assert.match(line, /Max-Age=0/);
  assert.match(line, /Path=\/monitor/);
});

Deno.test("in open mode the login page leads straight to the site", async () => {
  await using t = await createSiteTestApp();
  const res = await getPage(t.app, "/monitor/login?next=%2Fmonitor%2Fscores");
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/monitor/scores");
  const page = await getPage(t.app, "/monitor/score");
  assert.equal(csrfTokenOf(page.html), null, "no session, no CSRF field");
  assert.ok(!page.html.includes("/monitor/logout"));
});

Deno.test("with scoring keys only, the login page says the site is closed", async () => {
  await using t = await createSiteTestApp({ config: { apiKeys: [SCORING] } });
  const page = await getPage(t.app, "/monitor/login");
  assert.match(page.html, /data-testid="no-admin-keys"/);
  assert.equal((await postForm(t.app, "/monitor/login", { key: SCORING })).status, 403);
});
