-- wrk script of `deno task bench`: POSTs real request bodies, cycling through them, and prints
-- the run's figures as one JSON line (prefix WRK_JSON) for scripts/bench/wrk.ts to read.
--
--   wrk -c32 -d10s -t1 -s scripts/bench/wrk_cycle.lua http://127.0.0.1:PORT \
--     -- BODIES_FILE PATH [API_KEY]
--
-- BODIES_FILE holds one JSON body per line; PATH is the request path (e.g. /predict). Each wrk
-- thread formats every request once in init() and then only hands them out.

local requests = {}
local nextIndex = 0

function init(args)
  local file, path, key = args[1], args[2], args[3]
  if file == nil or path == nil then
    error("usage: wrk ... -s wrk_cycle.lua URL -- BODIES_FILE PATH [API_KEY]")
  end
  local headers = { ["Content-Type"] = "application/json" }
  if key ~= nil and key ~= "" then headers["X-API-Key"] = key end
  for line in io.lines(file) do
    if line ~= "" then requests[#requests + 1] = wrk.format("POST", path, headers, line) end
  end
  if #requests == 0 then error("no request bodies in " .. file) end
end

function request()
  nextIndex = nextIndex % #requests + 1
  return requests[nextIndex]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.3f,"max":%d,"p50":%d,"p95":%d,"p99":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
