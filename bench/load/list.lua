-- wrk script for "list pages on their own": signed-in users paging through the
-- enterprise list with the same filters as locustfile.py. Each request uses one of
-- the session cookies in $SESSIONS (comma-separated), picked per request; any status but 200 is counted
-- as an error and printed in the summary.
local filters = {
  "", "coverage=uncovered&", "band=many&", "industry=C&status=operating&",
  "should_form=1&", "liaison=1&",
}
local sessions = {}
for s in string.gmatch(os.getenv("SESSIONS") or "", "[^,]+") do sessions[#sessions + 1] = s end
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
  statuses = {}
  math.randomseed(id * 7919 + os.time())
end

function request()
  local sid = sessions[math.random(#sessions)]
  local path = "/enterprises/?" .. filters[math.random(#filters)] .. "page=" .. math.random(20)
  return wrk.format("GET", path, { Cookie = "sessionid=" .. sid })
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do failed = failed + t:get("errors") end
  io.write(string.format(
    "list pages: %d requests in %.1f s = %.1f req/s; median %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; errors %d (non-200 %d, socket %d)\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000,
    failed + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    failed, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
