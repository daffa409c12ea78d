-- wrk script of `deno task bench`: sends GETs, or POSTs cycling through real request bodies, and
-- prints the run's figures as one `WRK_JSON {…}` line for scripts/bench/load.ts.
--
--   wrk -c32 -d5s -t1 -s scripts/bench/wrk_load.lua http://127.0.0.1:PORT \
--     -- BODIES_FILE PATH METHOD [API_KEY] [DELAY_MS]
--
-- BODIES_FILE holds one JSON body per line (ignored for GET). DELAY_MS > 0 paces the load: each
-- connection waits a random 0 … 2 · DELAY_MS ms after each answer (random, so that connections do
-- not stay in phase and arrive in bursts). Each thread formats every request once, in init().

local requests = {}
local nextIndex = 0

function init(args)
  local file, path, method, key, pause = args[1], args[2], args[3], args[4], tonumber(args[5])
  local headers = {}
  if key ~= nil and key ~= "" then headers["X-API-Key"] = key end
  if pause ~= nil and pause > 0 then
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
    local top = math.max(1, math.floor(2 * pause + 0.5))
    -- wrk looks for delay() after init(): defining it here switches pacing on.
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
end

function request()
  nextIndex = nextIndex % #requests + 1
  return requests[nextIndex]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
