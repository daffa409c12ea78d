import assert from "node:assert/strict";
import { join } from "node:path";
import { isWritableDir, resolveDbLocation } from "./location.ts";

Deno.test("the configured path is used when its directory is writable", () => {
  const loc = resolveDbLocation({
    dbPath: "/data/predictions.sqlite",
    fallbackPath: "/app/var/predictions.sqlite",
    writable: (dir) => dir === "/data",
  });
  assert.deepEqual(loc, { path: "/data/predictions.sqlite", persistent: true });
});

Deno.test("without a writable /data the fallback is used, with a warning", () => {
  const loc = resolveDbLocation({
    dbPath: "/data/predictions.sqlite",
    fallbackPath: "/app/var/predictions.sqlite",
    writable: () => false,
  });
  assert.equal(loc.path, "/app/var/predictions.sqlite");
  assert.equal(loc.persistent, false);
  assert.match(loc.warning!, /\/data is missing or not writable.*LOST when it restarts/);
});

Deno.test("without a fallback the configured path is kept (opening it reports the problem)", () => {
  const loc = resolveDbLocation({
    dbPath: "/nope/x.sqlite",
    fallbackPath: "",
    writable: () => false,
  });
  assert.deepEqual(loc, { path: "/nope/x.sqlite", persistent: true });
});

Deno.test("isWritableDir tells a writable directory from a missing one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(isWritableDir(dir), true);
    assert.equal(isWritableDir(join(dir, "missing")), false);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "the probe file is removed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
