/**
 * The two-replica deployment (deploy/compose.yaml + deploy/Caddyfile),
 * checked without Docker: the YAML parses as Compose reads it (merge keys),
 * both replicas share one database, one session secret and the same keys,
 * every variable they set is one the service reads and is valid, the
 * database URL names the compose database (and the start task would allow
 * exactly its host), the proxy balances over both replicas at the image's
 * port with `/health/ready` as its health check, and `.env.example`
 * supplies every variable the file requires.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { CONFIG, loadConfig } from "../../api/config.ts";
import { parsePostgresUrl } from "../../api/store/mod.ts";
import { databaseNetAllowance } from "../net_allowance.ts";
import { parseDockerfile } from "./dockerfile_facts.ts";

const read = (path: string) => Deno.readTextFile(new URL(`../../${path}`, import.meta.url));

interface Service {
  image?: string;
  build?: { context: string };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  expose?: string[];
  ports?: string[];
  volumes?: string[];
}

const text = await read("deploy/compose.yaml");
const compose = parse(text, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const example = Object.fromEntries(
  (await read("deploy/.env.example")).split("\n")
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
);

/** Compose's `${VAR:?msg}` / `${VAR:-default}` interpolation, from the example .env. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z_]+)(?::([?-])([^}]*))?\}/g, (_, name, kind, rest) => {
    if (name in example) return example[name];
    if (kind === "-") return rest;
    throw new Error(`${name} is required by compose.yaml but not in .env.example`);
  });
}

Deno.test("compose: PostgreSQL, two replicas built from this repository, and a proxy", () => {
  assert.deepEqual(Object.keys(services).sort(), [
    "postgres",
    "proxy",
    "scorewatch-a",
    "scorewatch-b",
  ]);
  for (const name of ["scorewatch-a", "scorewatch-b"]) {
    assert.equal(services[name].build?.context, "..", name);
    assert.deepEqual(services[name].depends_on, { postgres: { condition: "service_healthy" } });
  }
  assert.deepEqual(
    services["scorewatch-a"].environment,
    services["scorewatch-b"].environment,
    "the replicas are configured alike (one log, one session secret, the same keys)",
  );
});

Deno.test("compose: every replica setting is a valid service setting, the URL names the compose database", async () => {
  const env = Object.fromEntries(
    Object.entries(services["scorewatch-a"].environment!).map(([k, v]) => [k, interpolate(v)]),
  );
  for (const name of Object.keys(env)) assert.ok(name in CONFIG, `${name} is not a setting`);
  const config = loadConfig((name) => env[name]);
  assert.ok(config.sessionSecret.length >= 32 && config.adminKeys.length > 0);
  const url = parsePostgresUrl(config.databaseUrl);
  const db = services.postgres.environment!;
  assert.deepEqual(
    [url.hosts, url.ports, url.user, url.database, url.password],
    [["postgres"], [5432], db.POSTGRES_USER, db.POSTGRES_DB, interpolate(db.POSTGRES_PASSWORD)],
  );
  assert.equal(databaseNetAllowance(config.databaseUrl), ",postgres:5432");
  const image = parseDockerfile(await read("Dockerfile"));
  assert.deepEqual(services["scorewatch-a"].expose, [image.env.PORT]);
});

Deno.test("compose: the proxy balances over both replicas and checks /health/ready", async () => {
  assert.ok(services.proxy.volumes?.includes("./Caddyfile:/etc/caddy/Caddyfile:ro"));
  const caddy = (await read("deploy/Caddyfile")).replace(/#.*$/gm, "");
  const port = parseDockerfile(await read("Dockerfile")).env.PORT;
  assert.match(caddy, new RegExp(`reverse_proxy scorewatch-a:${port} scorewatch-b:${port} \\{`));
  assert.match(caddy, /health_uri \/health\/ready/);
  assert.match(caddy, /health_status 200/);
});
