import assert from "node:assert/strict";
import { join } from "node:path";
import { openLifecycle } from "./model_lifecycle.ts";
import { openModelNews } from "./model_news.ts";
import { loadModel } from "./scoring/model.ts";
import type { ModelSet } from "./scoring/model_set.ts";
import { openRegistry } from "./scoring/registry.ts";
import { openStore } from "./store/mod.ts";
import { writeVersion } from "./testing/model_versions.ts";

Deno.test("a sibling unit swaps on the news of a change, before any poll", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scorewatch_news_" });
  const artifactsDir = await writeVersion(join(dir, "artifacts"), "v1");
  const modelsDir = join(dir, "models");
  await writeVersion(join(modelsDir, "v2"), "v2");
  const name = `test-${crypto.randomUUID()}`;
  const units = [];
  try {
    for (let i = 0; i < 2; i++) {
      const registry = await openRegistry({ artifactsDir, modelsDir, load: (d) => loadModel(d) });
      const store = await openStore(join(dir, "log.sqlite"), { synchronous: "NORMAL" });
      const news = openModelNews(name);
      const swapped: ModelSet[] = [];
      const next = { resolve: (_: ModelSet) => {} };
      const lifecycle = await openLifecycle({
        registry,
        store,
        announce: news.announce,
        onSwap: (set) => {
          swapped.push(set);
          next.resolve(set);
        },
      });
      const errors: unknown[] = [];
      news.listen({
        changed: () => lifecycle.sync(),
        reloaded: () => registry.rescan().then(() => lifecycle.sync()),
      }, (err) => errors.push(err));
      units.push({ registry, store, news, lifecycle, next, errors });
    }
    const [a, b] = units;
    const heard = Promise.withResolvers<ModelSet>();
    b.next.resolve = heard.resolve;
    await a.lifecycle.promote("v2", { keyId: "", reason: "" });
    const set = await heard.promise;
    assert.equal(set.champion.meta.model_version, "v2");
    assert.equal(b.lifecycle.source().champion.meta.model_version, "v2");
    // A reload: the sibling rescans too.
    await writeVersion(join(modelsDir, "v3"), "v3");
    const rescanned = Promise.withResolvers<void>();
    const rescan = b.registry.rescan;
    b.registry.rescan = () => rescan().finally(rescanned.resolve);
    await a.lifecycle.reload();
    await rescanned.promise;
    assert.ok(b.registry.get("v3"), "the sibling loaded v3");
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    for (const u of units) {
      u.news.close();
      await u.store.close();
      await u.registry.release();
    }
    await Deno.remove(dir, { recursive: true });
  }
});
