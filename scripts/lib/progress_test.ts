import { equal } from "node:assert/strict";
import { createProgress } from "./progress.ts";

Deno.test("createProgress: no bar when disabled or below the minimum total", () => {
  // The no-op progress is shared: both calls return the same inert object.
  const off = createProgress({ label: "x", total: 1e6, enabled: false });
  const small = createProgress({ label: "x", total: 10, minTotal: 100, enabled: true });
  equal(off, small);
  off.update(5);
  off.stop();
});
