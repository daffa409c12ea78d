import assert from "node:assert/strict";
import { envPairs, instructions, mapPath, parseDockerfile } from "./dockerfile_facts.ts";

Deno.test("the repository's Dockerfile: port, host, databases, start and health commands", async () => {
  const text = await Deno.readTextFile(new URL("../../Dockerfile", import.meta.url));
  const facts = parseDockerfile(text);
  assert.equal(facts.env.PORT, "7860");
  assert.equal(facts.env.HOST, "0.0.0.0");
  assert.equal(facts.env.DB_PATH, "/data/predictions.sqlite");
  assert.equal(facts.env.DB_FALLBACK_PATH, "/app/var/predictions.sqlite");
  assert.match(facts.env.DENO_DIR, /^\/home\/user\//);
  assert.deepEqual(facts.cmd, ["deno", "task", "start"]);
  assert.equal(facts.healthcheck?.[0], "deno");
  assert.match(facts.healthcheck?.at(-1) ?? "", /\/health\/ready/);
  assert.ok(instructions(text).some(([k, rest]) => k === "WORKDIR" && rest === "/app"));
  // EXPOSE agrees with PORT.
  assert.ok(instructions(text).some(([k, rest]) => k === "EXPOSE" && rest === facts.env.PORT));
});

Deno.test("instructions joins continuations and drops comments, also inside a continuation", () => {
  const text = [
    "# heading",
    "FROM base:1",
    "",
    "run apt-get update && \\",
    "  # a comment inside",
    "  apt-get install -y x",
    "ENV A=1 \\",
    "    B=2",
  ].join("\n");
  assert.deepEqual(instructions(text), [
    ["FROM", "base:1"],
    ["RUN", "apt-get update && apt-get install -y x"],
    ["ENV", "A=1 B=2"],
  ]);
});

Deno.test("envPairs reads bare, quoted and legacy forms; later ENV wins", () => {
  assert.deepEqual(envPairs('A=1 B="two words" C="say \\"hi\\"" D='), [
    ["A", "1"],
    ["B", "two words"],
    ["C", 'say "hi"'],
    ["D", ""],
  ]);
  assert.deepEqual(envPairs("LEGACY some value"), [["LEGACY", "some value"]]);
  const facts = parseDockerfile("FROM x\nENV A=1 B=2\nENV A=3\n");
  assert.deepEqual(facts.env, { A: "3", B: "2" });
  assert.equal(facts.cmd, null);
  assert.equal(facts.healthcheck, null);
});

Deno.test("parseDockerfile insists on exec form and a single stage", () => {
  assert.throws(() => parseDockerfile("FROM x\nCMD deno task start\n"), /CMD is not in exec form/);
  assert.throws(() => parseDockerfile('FROM x\nCMD {"a": 1}\n'), /not a JSON array/);
  assert.throws(
    () => parseDockerfile("FROM x\nHEALTHCHECK --interval=5s CMD curl -f http://x/\n"),
    /HEALTHCHECK CMD is not in exec form/,
  );
  assert.throws(() => parseDockerfile("FROM a AS b\nFROM c\n"), /multi-stage/);
  assert.deepEqual(
    parseDockerfile('FROM x\nHEALTHCHECK --timeout=5s \\\n  CMD ["true"]\n').healthcheck,
    ["true"],
  );
});

Deno.test("mapPath rewrites whole path prefixes only", () => {
  const maps: Array<[string, string]> = [["/app", "/tmp/w/app"], ["/data", "/tmp/w/data"]];
  assert.equal(mapPath("/app/var/db.sqlite", maps), "/tmp/w/app/var/db.sqlite");
  assert.equal(mapPath("/data", maps), "/tmp/w/data");
  assert.equal(mapPath("/application/x", maps), "/application/x");
  assert.equal(mapPath("0.0.0.0", maps), "0.0.0.0");
});
