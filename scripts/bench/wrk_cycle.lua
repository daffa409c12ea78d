-- wrk script of `deno task bench`: POSTs real request bodies, cycling through them (or sends
-- GETs), and prints the run's figures as one JSON line (prefix WRK_JSON) for
-- scripts/bench/wrk.ts to read.
--
--   wrk -c32 -d10s -t1 -s scripts/bench/wrk_cycle.lua http://127.0.0.1:PORT \
--     -- BODIES_FILE PATH METHOD [API_KEY] [DELAY_MS]
--
-- BODIES_FILE holds one JSON body per line (ignored for GET); PATH is the request path (e.g.
-- /predict); METHOD is POST or GET; API_KEY may be empty; DELAY_MS > 0 makes each connection
-- wait a random 0 … 2 · DELAY_MS ms after each answer (paced load: about connections / DELAY_MS
-- requests per ms).
-- Each wrk thread formats every request once in init() and then only hands them out.

local requests = {}
local nextIndex = 0

function init(args)
  local file, path, method, key, pause = args[1], args[2], args[3], args[4], tonumber(args[5])
  if file == nil or path == nil or (method ~= "POST" and method ~= "GET") then
    error("usage: wrk ... -s wrk_cycle.lua URL -- BODIES_FILE PATH POST|GET [API_KEY] [DELAY_MS]")
  end
  local headers = {}
  if key ~= nil and key ~= "" then headers["X-API-Key"] = key end
  -- wrk looks for delay() after init() has run, so defining it here switches pacing on. The
  -- pause is drawn uniformly from [0, 2 · DELAY_MS] so the connections do not stay in phase
  -- (a fixed pause makes them arrive in bursts of CONNECTIONS requests).
  if pause ~= nil and pause > 0 then
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
    local top = math.max(1, math.floor(2 * pause + 0.5))
    delay = function() return math.random(0, top) end
  end
  if method == "GET" then
    requests[1] = wrk.format("GET", path, headers)
    return
  end
  headers["Content-Type"] = "application/json"
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
