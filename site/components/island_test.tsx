import assert from "node:assert/strict";
import fc from "fast-check";
import { renderToString } from "preact-render-to-string";
import { createIslandRegistry, Island, IslandContext, IslandScripts, safeJson } from "./island.tsx";

Deno.test("safeJson round-trips any JSON and cannot close a script element", () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string(), (value, s) => {
      const v = { value, s, hostile: `</script><script>alert(1)</script>\u2028&amp;` };
      const text = safeJson(v);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(v)));
      assert.ok(!/[<>&\u2028\u2029]/.test(text));
    }),
  );
});

function Hello({ name }: { name: string }) {
  return <p class="hello">Hello {name}</p>;
}

Deno.test("an island renders its HTML, its props block and (with a build) its script", () => {
  const registry = createIslandRegistry();
  const html = renderToString(
    <IslandContext.Provider value={registry}>
      <Island name="hello" component={Hello} props={{ name: "</script><b>x</b>" }} />
      <IslandScripts
        assets={{ islands: { hello: "hello-ABC.js" }, css: [] }}
        assetBase="/monitor/static/build/"
      />
    </IslandContext.Provider>,
  );
  assert.match(html, /<div class="island" data-island="hello" data-props="island-props-1">/);
  assert.match(html, /<p class="hello">Hello &lt;\/script>&lt;b>x&lt;\/b><\/p>/);
  const json = html.match(/<script type="application\/json" id="island-props-1">(.*?)<\/script>/)!;
  assert.deepEqual(JSON.parse(json[1]), { name: "</script><b>x</b>" });
  assert.match(
    html,
    /<script type="module" src="\/monitor\/static\/build\/hello-ABC.js"\s*><\/script>/,
  );
  assert.deepEqual([...registry.used], ["hello"]);
});

Deno.test("without a build no script is emitted", () => {
  const html = renderToString(
    <IslandContext.Provider value={createIslandRegistry()}>
      <Island name="hello" component={Hello} props={{ name: "a" }} />
      <IslandScripts assets={null} assetBase="/x/" />
    </IslandContext.Provider>,
  );
  assert.ok(!html.includes('type="module"'));
});
