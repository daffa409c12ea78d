import assert from "node:assert/strict";
import { OPEN_MODE_WARNING } from "../../api/auth/api_keys.ts";
import { SESSION_COOKIE } from "../../api/auth/session.ts";
import { defaultFormValues } from "./score_form.ts";
import { csrfTokenOf, getPage, logIn, postForm } from "../testing/http.ts";
import { createSiteTestApp } from "../testing/site_test_kit.ts";

const SCORING = "scoring-key-000000000001";
const ADMIN = "admin-key-0000000000000001";
const keys = { apiKeys: [SCORING], adminKeys: [ADMIN] };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const PAGES = [
  "/monitor",
  "/monitor/scores?window=1h",
  "/monitor/drift",
  "/monitor/performance",
  "/monitor/predictions",
  "/monitor/predictions/1",
  "/monitor/score",
  "/monitor/no-such-page",
];
const JSON_ENDPOINTS = [
  "/monitor/api/overview",
  "/monitor/api/scores",
  "/monitor/api/performance",
];

Deno.test("with keys configured, pages redirect to the login page, coming back afterwards", async () => {
  await using t = await createSiteTestApp({ config: keys });
  for (const path of PAGES) {
    const res = await getPage(t.app, path);
    assert.equal(res.status, 303, path);
    const location = res.headers.get("location")!;
    const back = path === "/monitor" ? "" : `?next=${encodeURIComponent(path)}`;
    assert.equal(location, `/monitor/login${back}`, path);
    assert.ok(!res.html.includes("Scorewatch"), `${path}: no page content`);
  }
  assert.equal((await getPage(t.app, "/monitor/static/site.css")).status, 200, "static is public");
});

Deno.test("JSON endpoints answer 401 problem+json; a scoring key gets 403", async () => {
  await using t = await createSiteTestApp({ config: keys });
  for (const path of JSON_ENDPOINTS) {
    const res = await t.app.request(path);
    assert.equal(res.status, 401, path);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="scorewatch"');
    assert.match((await res.json()).detail, /log in at \/monitor\/login/);
    const wrong = await t.app.request(path, { headers: bearer("wrong-key-0000000000000") });
    assert.equal(wrong.status, 401, path);
    await wrong.body?.cancel();
    const scoring = await t.app.request(path, { headers: bearer(SCORING) });
    assert.equal(scoring.status, 403, path);
    assert.equal((await scoring.json()).type, "/problems/forbidden");
    const admin = await t.app.request(path, { headers: bearer(ADMIN) });
    assert.equal(admin.status, 200, path);
    await admin.body?.cancel();
  }
  for (const path of PAGES.slice(0, 5)) {
    const scoring = await getPage(t.app, path, { headers: bearer(SCORING) });
    assert.equal(scoring.status, 403, path);
    assert.match(scoring.headers.get("content-type")!, /text\/html/);
    assert.match(scoring.html, /may score but not administer/);
    const admin = await getPage(t.app, path, { headers: bearer(ADMIN) });
    assert.equal(admin.status, 200, path);
    assert.equal(admin.headers.get("cache-control"), "no-store", path);
    assert.match(admin.html, /Admin key <code>[0-9a-f]{12}<\/code> \(Authorization header\)/);
  }
  const json = await t.app.request("/monitor/drift", { headers: { accept: "application/json" } });
  assert.equal(json.status, 401, "an API client asking for a page gets a problem, not a redirect");
  assert.equal(json.headers.get("content-type"), "application/problem+json");
  await json.body?.cancel();
});

Deno.test("open mode: every page is served, with a banner saying the site is open", async () => {
  await using t = await createSiteTestApp();
  await (await t.post("/predict", { features: t.rows[0] })).text();
  for (const path of PAGES.slice(0, 7)) {
    const res = await getPage(t.app, path);
    assert.equal(res.status, 200, path);
    const banner = res.html.match(/<p class="banner open-mode"[^>]*>(.*?)<\/p>/s)?.[1] ?? "";
    assert.ok(banner.includes(OPEN_MODE_WARNING), path);
  }
  for (const path of JSON_ENDPOINTS) assert.equal((await t.app.request(path)).status, 200, path);
});

Deno.test("an expired or tampered session cookie sends the browser back to log in", async () => {
  let now = new Date("2026-03-01T12:00:00.000Z");
  await using t = await createSiteTestApp({ config: keys, now: () => now });
  const { cookie } = await logIn(t.app, ADMIN);
  assert.equal((await getPage(t.app, "/monitor", { headers: { cookie } })).status, 200);
  const [name, token] = cookie.split("=");
  const tampered = `${name}=${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
  for (const bad of [tampered, `${name}=not-a-token`]) {
    const res = await getPage(t.app, "/monitor", { headers: { cookie: bad } });
    assert.equal(res.status, 303);
    assert.match(
      res.headers.getSetCookie().join("\n"),
      new RegExp(`${SESSION_COOKIE}=;.*Max-Age=0`),
    );
  }
  now = new Date(now.getTime() + 8 * 3600_000 + 1000);
  const expired = await getPage(t.app, "/monitor", { headers: { cookie } });
  assert.equal(expired.status, 303);
  assert.equal(expired.headers.get("location"), "/monitor/login");
  const api = await t.app.request("/monitor/api/overview", { headers: { cookie } });
  assert.equal(api.status, 401);
  await api.body?.cancel();
});

Deno.test("a cookie POST needs the session's CSRF token; nothing is logged without it", async () => {
  let now = new Date("2026-03-01T12:00:00.000Z");
  await using t = await createSiteTestApp({ config: keys, now: () => now });
  const other = await logIn(t.app, ADMIN);
  now = new Date(now.getTime() + 60_000);
  const session = await logIn(t.app, ADMIN);
  const form = defaultFormValues(t.model.meta);
  const headers = { cookie: session.cookie };
  const refused: [string, Record<string, string>][] = [
    ["no token", form],
    ["empty token", { ...form, _csrf: "" }],
    ["wrong token", { ...form, _csrf: `${session.csrf.slice(0, -1)}x` }],
  ];
  assert.notEqual(other.csrf, session.csrf);
  refused.push(["another session's token", { ...form, _csrf: other.csrf }]);
  for (const [what, fields] of refused) {
    const res = await postForm(t.app, "/monitor/score", fields, { headers });
    assert.equal(res.status, 403, what);
    assert.match(res.html, /security token is missing or out of date/, what);
  }
  const drift = await postForm(t.app, "/monitor/drift", { scope: "all" }, { headers });
  assert.equal(drift.status, 403);
  assert.equal(await t.store.predictions.count(), 0, "nothing scored or logged");

  const ok = await postForm(t.app, "/monitor/score", { ...form, _csrf: session.csrf }, { headers });
  assert.equal(ok.status, 200);
  assert.match(ok.html, /data-testid="risk-label"/);
  assert.equal(await t.store.predictions.count(), 1);
  assert.equal(csrfTokenOf(ok.html), session.csrf, "the result page's form carries the token");
});

Deno.test("header-authenticated and open-mode POSTs need no CSRF token", async () => {
  await using t = await createSiteTestApp({ config: keys });
  const form = defaultFormValues(t.model.meta);
  const res = await postForm(t.app, "/monitor/score", form, { headers: bearer(ADMIN) });
  assert.equal(res.status, 200);
  assert.equal(csrfTokenOf(res.html), null);
  const anonymous = await postForm(t.app, "/monitor/score", form);
  assert.equal(anonymous.status, 303);
  assert.equal(anonymous.headers.get("location"), "/monitor/login?next=%2Fmonitor%2Fscore");
  assert.equal(await t.store.predictions.count(), 1);

  await using open = await createSiteTestApp();
  assert.equal((await postForm(open.app, "/monitor/score", form)).status, 200);
  assert.equal(await open.store.predictions.count(), 1);
});
