import assert from "node:assert/strict";
import { isHttps } from "./session_cookie.ts";

const request = (url: string, headers: Record<string, string> = {}) => ({
  url,
  header: (name: string): string | undefined => headers[name.toLowerCase()],
});

Deno.test("HTTPS is the request's scheme, or the first proxy's X-Forwarded-Proto", () => {
  assert.equal(isHttps(request("https://space.hf.space/monitor/login")), true);
  assert.equal(isHttps(request("http://127.0.0.1:7860/monitor/login")), false);
  const proxied = (proto: string) =>
    isHttps(request("http://10.0.0.2:7860/monitor/login", { "x-forwarded-proto": proto }));
  assert.equal(proxied("https"), true);
  assert.equal(proxied("HTTPS"), true);
  assert.equal(proxied("https, http"), true);
  assert.equal(proxied("http"), false);
  assert.equal(proxied("http, https"), false);
});
