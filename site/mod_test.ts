import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getPage } from "./testing/http.ts";
import { createSiteTestApp } from "./testing/site_test_kit.ts";

const SITE = fileURLToPath(new URL(".", import.meta.url));
const PAGES = [
  "/monitor",
  "/monitor/scores",
  "/monitor/drift",
  "/monitor/predictions",
  "/monitor/score",
];

/** The `frame-ancestors` directive of a CSP header. */
const frameAncestorsOf = (csp: string) => /(?:^|;\s*)frame-ancestors ([^;]*)/.exec(csp)?.[1];

Deno.test("pages carry the strict CSP, framed by the deployment itself only, and no X-Frame-Options", async () => {
  await using t = await createSiteTestApp();
  for (const path of [...PAGES, "/monitor/api/scores", "/monitor/nope"]) {
    const { headers } = await getPage(t.app, path);
    const csp = headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.match(csp, /style-src 'self'(;|$)/, path);
    assert.equal(frameAncestorsOf(csp), "'self'", `${path}: no Space known, no other framer`);
    assert.equal(headers.get("x-frame-options"), null, path);
    assert.equal(headers.get("x-content-type-options"), "nosniff", path);
  }
});

Deno.test("on a Hugging Face Space, only that Space's page may frame the site and /docs", async () => {
  for (
    const space of [
      { spaceHost: "alice-scorewatch.hf.space", spaceId: "" },
      { spaceHost: "", spaceId: "Alice/Score_Watch" },
    ]
  ) {
    await using t = await createSiteTestApp({ config: space });
    const own = space.spaceHost || "alice-score-watch.hf.space";
    for (const path of ["/monitor/score", "/monitor/login", "/docs"]) {
      const csp = (await getPage(t.app, path)).headers.get("content-security-policy") ?? "";
      assert.equal(
        frameAncestorsOf(csp),
        `'self' https://huggingface.co https://${own}`,
        `${path} with ${JSON.stringify(space)}`,
      );
      assert.ok(!csp.includes("*.hf.space"), "no other Space may frame it");
    }
  }
});

Deno.test("FRAME_ANCESTORS overrides the default on the site and /docs", async () => {
  await using t = await createSiteTestApp({
    config: {
      frameAncestors: ["'self'", "https://intranet.example.org"],
      spaceHost: "alice-scorewatch.hf.space",
    },
  });
  for (const path of ["/monitor", "/docs"]) {
    const csp = (await getPage(t.app, path)).headers.get("content-security-policy") ?? "";
    assert.equal(frameAncestorsOf(csp), "'self' https://intranet.example.org", path);
  }
});

Deno.test("pages have no inline scripts, handlers or styles", async () => {
  await using t = await createSiteTestApp();
  for (const path of PAGES) {
    const { status, html } = await getPage(t.app, path);
    assert.equal(status, 200, path);
    for (const m of html.matchAll(/<script\b([^>]*)>/g)) {
      assert.match(m[1], /type="(application\/json|module)"/, `${path}: ${m[0]}`);
      if (m[1].includes("module")) assert.match(m[1], /src="/);
    }
    assert.ok(!/\son[a-z]+=/i.test(html), `${path}: inline event handler`);
    assert.ok(!/\sstyle=|<style/i.test(html), `${path}: inline style`);
  }
});

Deno.test("static files, favicon, unknown pages and trailing slashes", async () => {
  await using t = await createSiteTestApp();
  const favicon = await t.app.request("/favicon.ico");
  assert.equal(favicon.status, 200);
  assert.equal(favicon.headers.get("content-type"), "image/x-icon");
  assert.deepEqual(
    new Uint8Array(await favicon.arrayBuffer()),
    await Deno.readFile(join(SITE, "static", "favicon.ico")),
  );
  const css = await t.app.request("/monitor/static/site.css");
  assert.equal(css.status, 200);
  assert.match(css.headers.get("content-type")!, /text\/css/);
  assert.match(css.headers.get("cache-control")!, /max-age/);
  await css.text();
  for (const path of ["/monitor/static/../../deno.json", "/monitor/static/%2e%2e/mod.ts"]) {
    const res = await t.app.request(path);
    assert.equal(res.status, 404, path);
    await res.text();
  }
  const missing = await getPage(t.app, "/monitor/nowhere");
  assert.equal(missing.status, 404);
  assert.match(missing.html, /No page at \/monitor\/nowhere/);
  const slash = await t.app.request("/monitor/drift/", { redirect: "manual" });
  assert.equal(slash.status, 301);
  assert.equal(slash.headers.get("location"), "/monitor/drift");
});

Deno.test("with a build, pages load the bundles of the islands they use; without, none", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "build"));
    await Deno.writeTextFile(
      join(dir, "build", "manifest.json"),
      JSON.stringify({
        islands: { overview_live: "o-1.js", score_histogram: "s-1.js", drift_bars: "d-1.js" },
        css: ["u-1.css"],
      }),
    );
    await using built = await createSiteTestApp({ site: { staticDir: dir } });
    const page = (await getPage(built.app, "/monitor/scores")).html;
    assert.match(page, /<script type="module" src="\/monitor\/static\/build\/s-1.js"/);
    assert.ok(!page.includes("o-1.js"), "only the islands the page uses");
    assert.match(page, /<link rel="stylesheet" href="\/monitor\/static\/build\/u-1.css"/);
    assert.ok(!page.includes("Static mode"));

    await using bare = await createSiteTestApp({ site: { staticDir: join(dir, "none") } });
    for (const path of PAGES) {
      const { status, html } = await getPage(bare.app, path);
      assert.equal(status, 200, path);
      assert.ok(!html.includes('type="module"'), path);
      assert.match(html, /Static mode/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function sources(dir: string): Promise<string[]> {
  return (await readdir(join(SITE, dir))).filter((f) =>
    /\.tsx?$/.test(f) && !f.endsWith("_test.ts")
  )
    .map((f) => join(SITE, dir, f));
}

Deno.test("browser code imports only preact, uplot and other browser modules", async () => {
  const allowed =
    /^(preact|preact\/hooks|uplot|\.\.?\/(shared|islands|client)\/[\w.]+|\.\/[\w.]+)$/;
  for (const dir of ["islands", "shared", "client"]) {
    for (const file of await sources(dir)) {
      const text = await readFile(file, "utf8");
      for (const m of text.matchAll(/^import[^"]*"([^"]+)";/gm)) {
        assert.match(m[1], allowed, `${file} imports ${m[1]}`);
      }
    }
  }
});

Deno.test("every island a page renders is a module of site/islands", async () => {
  const islands = new Set(
    (await readdir(join(SITE, "islands"))).map((f) => f.replace(/\.tsx$/, "")),
  );
  for (const file of await sources("routes")) {
    const text = await readFile(file, "utf8");
    for (const m of text.matchAll(/name="([^"]+)"\s+component=/g)) {
      assert.ok(islands.has(m[1]), `${file}: unknown island ${m[1]}`);
    }
  }
});
