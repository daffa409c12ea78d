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

Deno.test("a session ends as soon as its key is no longer an admin key", async () => {
  // Same SESSION_SECRET, new key lists: a restart after the operator changed ADMIN_KEYS.
  const sessionSecret = "s".repeat(40);
  const other = "admin-key-0000000000000002";
  let cookie: string;
  {
    await using before = await createSiteTestApp({
      config: { ...keys, adminKeys: [ADMIN, other], sessionSecret },
    });
    cookie = (await logIn(before.app, ADMIN)).cookie;
  }
  const withKeys = async (adminKeys: string[], apiKeys = [SCORING]) => {
    await using t = await createSiteTestApp({ config: { apiKeys, adminKeys, sessionSecret } });
    const page = await getPage(t.app, "/monitor/predictions", { headers: { cookie } });
    const api = await t.app.request("/monitor/api/scores", { headers: { cookie } });
    await api.body?.cancel();
    return { page, api: api.status };
  };

  const kept = await withKeys([ADMIN, other]);
  assert.equal(kept.page.status, 200, "positive control: the key is still configured");
  assert.equal(kept.api, 200);

  const removed = await withKeys([other]);
  assert.equal(removed.page.status, 303, "removed from ADMIN_KEYS: back to the login");
  assert.match(removed.page.headers.get("location") ?? "", /^\/monitor\/login/);
  assert.match(sessionCookieLine(removed.page.headers) ?? "", /Max-Age=0/, "the cookie is dropped");
  assert.equal(removed.api, 401);

  const demoted = await withKeys([other], [SCORING, ADMIN]);
  assert.equal(demoted.page.status, 403, "now a scoring key: it may not open the site");
  assert.equal(demoted.api, 403);
});

Deno.test("failed logins are throttled per client and logged without the key", async () => {
  await using t = await createSiteTestApp({
    config: { ...keys, authFailuresPerMinute: 2, trustProxy: true },
  });
  const lines: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    const from = (address: string) => ({ headers: { "x-forwarded-for": address } });
    for (let i = 0; i < 2; i++) {
      const res = await postForm(t.app, "/monitor/login", { key: `guess-${i}-0000000000000` }, {
        ...from("203.0.113.9"),
      });
      assert.equal(res.status, 401);
    }
    const throttled = await postForm(t.app, "/monitor/login", { key: ADMIN }, from("203.0.113.9"));
    assert.equal(throttled.status, 429, "even the right key, until the minute ends");
    assert.ok(Number(throttled.headers.get("retry-after")) >= 1);
    assert.match(throttled.html, /Too many failed attempts from your address: try again in \d+ s/);
    assert.equal(sessionCookieLine(throttled.headers), undefined);
    const api = await t.app.request("/monitor/api/scores", {
      headers: { authorization: `Bearer ${ADMIN}`, "x-forwarded-for": "203.0.113.9" },
    });
    assert.equal(api.status, 429, "the budget is shared with API keys sent to the site");
    await api.body?.cancel();
    const elsewhere = await postForm(t.app, "/monitor/login", { key: ADMIN }, from("192.0.2.1"));
    assert.equal(elsewhere.status, 303, "another client logs in");
  } finally {
    console.warn = warn;
  }
  assert.equal(lines.length, 2);
  for (const line of lines) {
    assert.match(line, /auth failure: failed login \(wrong key\) on POST \/monitor\/login/);
    assert.ok(!/guess-/.test(line) && !line.includes(ADMIN), "no key in the log");
  }
});
