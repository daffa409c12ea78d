import { deepEqual } from "node:assert/strict";
import { LATENCY_BUCKET_COUNT, latencyBucket } from "../api/store/histograms.ts";
import type { RequestMinute } from "../api/store/mod.ts";
import { operationalAlerts } from "./operational.ts";

function minute(route: string, statusClass: 2 | 4 | 5, n: number, ms: number): RequestMinute {
  const buckets = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  buckets[latencyBucket(ms)] = n;
  return { minute: 0, route, statusClass, n, sumMs: n * ms, maxMs: ms, buckets };
}

const kinds = (requests: RequestMinute[], prev?: string) =>
  operationalAlerts({ requests, modelVersion: "m2", previousModelVersion: prev }).map((a) =>
    `${a.kind}:${a.severity}`
  );

Deno.test("quiet traffic raises nothing", () => {
  deepEqual(kinds([minute("POST /predict", 2, 1000, 3), minute("POST /predict", 4, 50, 1)]), []);
  deepEqual(kinds([minute("POST /predict", 5, 10, 3)]), [], "too few requests to judge");
});

Deno.test("server errors, slow scoring and a new model version alert", () => {
  deepEqual(kinds([minute("POST /predict", 2, 95, 3), minute("POST /predict", 5, 5, 3)]), [
    "error_rate:moderate",
  ]);
  deepEqual(kinds([minute("POST /predict", 2, 100, 900)]), ["latency_p95:moderate"]);
  deepEqual(kinds([minute("GET /health", 2, 100, 900)]), [], "only scoring routes count");
  deepEqual(kinds([], "m1"), ["model_version_change:moderate"]);
  deepEqual(kinds([], "m2"), []);
});
