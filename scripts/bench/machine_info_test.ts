import { strict as assert } from "node:assert";
import { resolveGitHead } from "./machine_info.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);

Deno.test("resolveGitHead: detached, loose ref, packed ref, unknown", () => {
  assert.equal(resolveGitHead(`${A}\n`, () => null, null), A);
  assert.equal(
    resolveGitHead(
      "ref: refs/heads/main\n",
      (r) => r === "refs/heads/main" ? `${B}\n` : null,
      null,
    ),
    B,
  );
  const packed = `# pack-refs with: peeled\n${A} refs/heads/dev\n${B} refs/heads/main\n`;
  assert.equal(resolveGitHead("ref: refs/heads/main", () => null, packed), B);
  assert.equal(resolveGitHead("ref: refs/heads/gone", () => null, packed), null);
  assert.equal(resolveGitHead("nonsense", () => null, null), null);
});
